package sheet

import (
	"reflect"
	"testing"
)

// FuzzReadCustomers: any bytes either read as rows of the export's shape
// or give an error; never a panic. The committed corpus holds a real
// export (testdata/fuzz/FuzzReadCustomers).
func FuzzReadCustomers(f *testing.F) {
	b, err := Customers([]Row{{ID: "wmAbc123", Name: "李华", Remark: "老客户", Follower: "zhangsan", Mobile: "138****5678", Tags: []string{"高意向"}}})
	if err != nil {
		f.Fatal(err)
	}
	f.Add(b)
	f.Add([]byte("PK\x03\x04"))
	f.Fuzz(func(t *testing.T, data []byte) {
		rows, err := ReadCustomers(data)
		if err != nil {
			return
		}
		again, err := Customers(rows)
		if err != nil {
			t.Fatalf("rows read could not be written: %v", err)
		}
		back, err := ReadCustomers(again)
		if err != nil || !reflect.DeepEqual(back, rows) {
			t.Fatalf("rows do not survive a write and read: %v\nread %+v\nthen %+v", err, rows, back)
		}
	})
}

// BenchmarkCustomers5000 builds the workbook of an export just at the
// background threshold.
func BenchmarkCustomers5000(b *testing.B) {
	rows := make([]Row, 5000)
	for i := range rows {
		rows[i] = Row{ID: "wmAbc123", Name: "客户名字", Remark: "备注内容", Follower: "zhangsan", Mobile: "138****5678", Tags: []string{"高意向", "VIP", "华东"}}
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Customers(rows); err != nil {
			b.Fatal(err)
		}
	}
}
