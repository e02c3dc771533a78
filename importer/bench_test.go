package importer

import (
	"bufio"
	"encoding/csv"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/tagbot/tagbot/store"
)

// The dry-run benchmarks read a generated 100,000-row CSV and XLSX
// (IMPORT_BENCH_ROWS overrides the count) against a store of as many
// customers, all generated once into a temp dir removed by TestMain. They
// report peak RSS (VmHWM, reset before the timed runs) as peak-RSS-MB and
// the CPU time per dry run as cpu-s/op.
// Targets: ≤ 10 s and ≤ 500 MB.

var bench struct {
	once            sync.Once
	dir             string
	st              *store.Store
	csvPath, xlPath string
	err             error
}

func TestMain(m *testing.M) {
	code := m.Run()
	if bench.st != nil {
		bench.st.Close()
	}
	if bench.dir != "" {
		os.RemoveAll(bench.dir)
	}
	os.Exit(code)
}

func benchRows() int {
	if n, err := strconv.Atoi(os.Getenv("IMPORT_BENCH_ROWS")); err == nil && n > 0 {
		return n
	}
	return 100_000
}

// benchSetup builds the store and both files once.
func benchSetup(b *testing.B) {
	bench.once.Do(func() {
		if bench.dir, bench.err = os.MkdirTemp("", "import-bench-"); bench.err != nil {
			return
		}
		n := benchRows()
		if bench.st, bench.err = benchStore(filepath.Join(bench.dir, "tagbot.db"), n); bench.err != nil {
			return
		}
		rows := benchFileRows(n)
		bench.csvPath, bench.xlPath = filepath.Join(bench.dir, "import.csv"), filepath.Join(bench.dir, "import.xlsx")
		if bench.err = writeBenchCSV(bench.csvPath, rows); bench.err == nil {
			bench.err = writeBenchXLSX(bench.xlPath, rows)
		}
	})
	if bench.err != nil {
		b.Fatal(bench.err)
	}
}

// benchStore: n customers, each followed by one of 50 employees, with a
// mobile; a library of 4 groups of 5 tags.
func benchStore(path string, n int) (*store.Store, error) {
	st, err := store.Open(path, store.Options{Sync: "never"})
	if err != nil {
		return nil, err
	}
	var lib store.Library
	for g := 0; g < 4; g++ {
		lib.Groups = append(lib.Groups, store.Group{ID: fmt.Sprintf("g%d", g), Name: fmt.Sprintf("组%d", g)})
		for i := 0; i < 5; i++ {
			lib.Tags = append(lib.Tags, store.Tag{ID: fmt.Sprintf("t%d", g*5+i), GroupID: fmt.Sprintf("g%d", g), GroupName: fmt.Sprintf("组%d", g), Name: fmt.Sprintf("标签%d", g*5+i)})
		}
	}
	if _, err := st.PutLibrary(lib, "sync"); err != nil {
		return nil, err
	}
	for i := 0; i < n; i++ {
		emp := fmt.Sprintf("emp%02d", i%50)
		c := store.Customer{ID: fmt.Sprintf("wm%016d", i), Name: fmt.Sprintf("客户%d", i), Followers: []string{emp}}
		if err := st.UpsertCustomer(c, []store.FollowInfo{{Follower: emp, Mobiles: []string{fmt.Sprintf("138%08d", i)}}}); err != nil {
			return nil, err
		}
	}
	return st, nil
}

// benchFileRows: 60% found by id, 30% by mobile, 10% by name + follower;
// one or two tags, a remove every 7th row, an unknown tag every 100th and
// a shifted row every 200th.
func benchFileRows(n int) [][]string {
	rows := [][]string{{"客户ID", "客户名称", "手机号", "标签", "操作", "跟进人"}}
	for i := 0; i < n; i++ {
		tags := fmt.Sprintf("标签%d", i%20)
		if i%3 == 0 {
			tags += "，" + fmt.Sprintf("标签%d", (i+7)%20)
		}
		if i%100 == 0 {
			tags = fmt.Sprintf("新标签%d", i%5)
		}
		op := "add"
		if i%7 == 0 {
			op = "remove"
		}
		id, name, mobile, emp := fmt.Sprintf("wm%016d", i), fmt.Sprintf("客户%d", i), fmt.Sprintf("138%08d", i), fmt.Sprintf("emp%02d", i%50)
		switch i % 10 {
		case 6, 7, 8:
			id, name = "", ""
		case 9:
			id, mobile = "", ""
		}
		row := []string{id, name, mobile, tags, op, emp}
		if i%200 == 0 {
			row = []string{id, name, tags, mobile, op, emp}
		}
		rows = append(rows, row)
	}
	return rows
}

func writeBenchCSV(path string, rows [][]string) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	w := bufio.NewWriter(f)
	w.WriteString("\ufeff")
	cw := csv.NewWriter(w)
	cw.WriteAll(rows)
	if err := w.Flush(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

func writeBenchXLSX(path string, rows [][]string) error {
	x := excelize.NewFile()
	defer x.Close()
	sw, err := x.NewStreamWriter("Sheet1")
	if err != nil {
		return err
	}
	cells := make([]any, len(rows[0]))
	for i, r := range rows {
		for j := range cells {
			cells[j] = r[j]
		}
		cell, _ := excelize.CoordinatesToCellName(1, i+1)
		if err := sw.SetRow(cell, cells); err != nil {
			return err
		}
	}
	if err := sw.Flush(); err != nil {
		return err
	}
	return x.SaveAs(path)
}

func BenchmarkDryRunCSV100k(b *testing.B)  { benchDryRun(b, func() string { return bench.csvPath }) }
func BenchmarkDryRunXLSX100k(b *testing.B) { benchDryRun(b, func() string { return bench.xlPath }) }

func benchDryRun(b *testing.B, path func() string) {
	benchSetup(b)
	resetPeakRSS()
	cpu0 := cpuSeconds()
	b.ResetTimer()
	var p *Plan
	for b.Loop() {
		f, err := os.Open(path())
		if err != nil {
			b.Fatal(err)
		}
		rows, err := Open(path(), f)
		if err != nil {
			b.Fatal(err)
		}
		p, err = DryRun(rows, Options{Store: bench.st, Policy: testPolicy{user: "admin", all: true}, MaxBadShare: 0.1})
		rows.Close()
		f.Close()
		if err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	b.ReportMetric((cpuSeconds()-cpu0)/float64(b.N), "cpu-s/op")
	if p.Rows != benchRows() || len(p.Changes) == 0 || len(p.Bad) == 0 || len(p.UnknownTags) == 0 {
		b.Fatalf("plan of %d rows: %d changes, %d bad, %d unknown tags", p.Rows, len(p.Changes), len(p.Bad), len(p.UnknownTags))
	}
	b.ReportMetric(float64(p.Rows), "rows")
	b.ReportMetric(peakRSSMB(), "peak-RSS-MB")
}
