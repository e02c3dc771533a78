package sheet

import (
	"bytes"
	"reflect"
	"testing"

	"github.com/xuri/excelize/v2"
)

func TestRoundTrip(t *testing.T) {
	rows := []Row{
		{ID: "wmAbc123", Name: "李华", Remark: "老客户", Follower: "zhangsan、lisi", Mobile: "138****5678", Tags: []string{"高意向", "VIP"}},
		{ID: "=1+1", Name: "=HYPERLINK(\"http://x\",\"点我\")", Remark: "+1", Follower: "lisi", Mobile: "-2", Tags: nil},
		{ID: "wm1", Name: "王小明", Follower: "zhangsan", Mobile: "13800005678", Tags: []string{"低意向"}},
	}
	b, err := Customers(rows)
	if err != nil {
		t.Fatal(err)
	}
	got, err := ReadCustomers(b)
	if err != nil {
		t.Fatal(err)
	}
	for i := range max(len(got), len(rows)) {
		if i >= len(got) || i >= len(rows) || !reflect.DeepEqual(got[i], rows[i]) {
			t.Fatalf("row %d: got %+v, want %+v (all got %d rows, want %d)", i, at(got, i), at(rows, i), len(got), len(rows))
		}
	}
	f, err := excelize.OpenReader(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	for _, cell := range []string{"A3", "B3", "C3", "E3"} {
		if formula, _ := f.GetCellFormula(SheetName, cell); formula != "" {
			t.Errorf("%s became the formula %q, want a string", cell, formula)
		}
		if typ, _ := f.GetCellType(SheetName, cell); typ == excelize.CellTypeFormula || typ == excelize.CellTypeNumber {
			t.Errorf("%s has cell type %v, want a string", cell, typ)
		}
	}
}

func at(rows []Row, i int) any {
	if i < len(rows) {
		return rows[i]
	}
	return "(none)"
}

func TestReadRejectsOtherWorkbooks(t *testing.T) {
	f := excelize.NewFile()
	f.SetSheetName("Sheet1", SheetName)
	f.SetCellValue(SheetName, "A1", "别的表")
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		t.Fatal(err)
	}
	if _, err := ReadCustomers(buf.Bytes()); err == nil {
		t.Fatal("a workbook without the export header was read")
	}
	if _, err := ReadCustomers([]byte("not xlsx")); err == nil {
		t.Fatal("garbage was read as a workbook")
	}
}
