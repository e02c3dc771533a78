package flatxml

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestParse checks documents Parse reads and documents it leaves to
// encoding/xml.
func TestParse(t *testing.T) {
	tests := []struct {
		name string
		body string
		want []Field // nil: Parse declines
	}{
		{"envelope", "<xml><ToUserName><![CDATA[ww1]]></ToUserName><Encrypt><![CDATA[a+b/c==]]></Encrypt>\n<AgentID>218</AgentID>\n</xml>",
			[]Field{{"ToUserName", "ww1"}, {"Encrypt", "a+b/c=="}, {"AgentID", "218"}}},
		{"spaces around", " \r\n\t<xml> <A>1</A>\t</xml>\n ", []Field{{"A", "1"}}},
		{"empty root", "<xml></xml>", []Field{}},
		{"empty child", "<xml><A></A><B><![CDATA[]]></B></xml>", []Field{{"A", ""}, {"B", ""}}},
		{"text and cdata joined", "<xml><A> x <![CDATA[<y>&amp;]]>z<![CDATA[]]]]><![CDATA[>]]></A></xml>", []Field{{"A", " x <y>&amp;z]]>"}}},
		{"utf-8 and tab", "<xml><Content><![CDATA[给 张三\t加 VIP 🙂]]></Content></xml>", []Field{{"Content", "给 张三\t加 VIP 🙂"}}},
		{"repeated names kept in order", "<xml><A>1</A><A>2</A></xml>", []Field{{"A", "1"}, {"A", "2"}}},
		{"name characters", "<xml><_a.b-9>v</_a.b-9></xml>", []Field{{"_a.b-9", "v"}}},
		{"other root", "<root><A>1</A></root>", nil},
		{"root prefix only", "<xmlx><A>1</A></xmlx>", nil},
		{"declaration", "<?xml version=\"1.0\"?><xml><A>1</A></xml>", nil},
		{"doctype", "<!DOCTYPE xml [<!ENTITY a \"b\">]><xml><A>&a;</A></xml>", nil},
		{"entity", "<xml><A>a&amp;b</A></xml>", nil},
		{"attribute", "<xml><A x=\"1\">1</A></xml>", nil},
		{"root attribute", "<xml a=\"1\"><A>1</A></xml>", nil},
		{"namespace", "<xml><n:A>1</n:A></xml>", nil},
		{"self-closing", "<xml><A/></xml>", nil},
		{"space in tag", "<xml><A >1</A></xml>", nil},
		{"nested", "<xml><A><B>1</B></A></xml>", nil},
		{"comment", "<xml><!-- c --><A>1</A></xml>", nil},
		{"comment in value", "<xml><A>1<!-- c -->2</A></xml>", nil},
		{"text in root", "<xml>x<A>1</A></xml>", nil},
		{"carriage return", "<xml><A>1\r\n2</A></xml>", nil},
		{"cr in cdata", "<xml><A><![CDATA[1\r2]]></A></xml>", nil},
		{"]]> in text", "<xml><A>a]]>b</A></xml>", nil},
		{"control character", "<xml><A>a\x01b</A></xml>", nil},
		{"invalid utf-8", "<xml><A>a\xffb</A></xml>", nil},
		{"non-character", "<xml><A>a\uFFFEb</A></xml>", nil},
		{"mismatched end", "<xml><A>1</B></xml>", nil},
		{"end name longer", "<xml><A>1</AB></xml>", nil},
		{"unclosed child", "<xml><A>1", nil},
		{"unclosed cdata", "<xml><A><![CDATA[1</A></xml>", nil},
		{"unclosed root", "<xml><A>1</A>", nil},
		{"trailing text", "<xml><A>1</A></xml>x", nil},
		{"second root", "<xml></xml><xml></xml>", nil},
		{"name starts with digit", "<xml><1A>1</1A></xml>", nil},
		{"non-ascii name", "<xml><名>1</名></xml>", nil},
		{"empty", "", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := Parse([]byte(tt.body), "xml", nil)
			if ok != (tt.want != nil) {
				t.Fatalf("Parse(%q) ok = %v, want %v (fields %q)", tt.body, ok, tt.want != nil, got)
			}
			if ok {
				if got == nil {
					got = []Field{}
				}
				if diff := cmp.Diff(tt.want, got); diff != "" {
					t.Errorf("Parse(%q) fields (-want +got):\n%s", tt.body, diff)
				}
			}
		})
	}
}

// TestParseMatchesEncodingXML runs the accepted documents of TestParse's
// kind through the reference reader, so the table and the fuzz target
// check the same thing.
func TestParseMatchesEncodingXML(t *testing.T) {
	for _, body := range []string{
		"<xml><A>1</A><B><![CDATA[x]]></B></xml>",
		"<xml><A> x <![CDATA[<y>]]>z</A></xml>",
	} {
		checkAgainstEncodingXML(t, []byte(body))
	}
}

// FuzzParse checks that whatever Parse reads, encoding/xml reads the same
// way: the whole body is well-formed, its root is <xml>, and the root's
// children have the same names and character data in the same order.
// Seeds are in testdata/fuzz/FuzzParse.
func FuzzParse(f *testing.F) {
	f.Add([]byte("<xml><ToUserName><![CDATA[ww1]]></ToUserName><Encrypt><![CDATA[a+b==]]></Encrypt><AgentID>1</AgentID></xml>"))
	f.Fuzz(func(t *testing.T, body []byte) {
		checkAgainstEncodingXML(t, body)
	})
}

// checkAgainstEncodingXML fails t if Parse reads body and encoding/xml
// does not read it the same way.
func checkAgainstEncodingXML(t *testing.T, body []byte) {
	t.Helper()
	got, ok := Parse(body, "xml", nil)
	if !ok {
		return
	}
	want, err := referenceFields(body, "xml")
	if err != nil {
		t.Fatalf("Parse read %q as %q, encoding/xml: %v", body, got, err)
	}
	if got == nil {
		got = []Field{}
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Fatalf("Parse(%q) differs from encoding/xml (-xml +Parse):\n%s", body, diff)
	}
}

// referenceFields reads body with encoding/xml's tokenizer: it fails
// unless body is a well-formed document whose root is root and holds only
// whitespace and children with character data (no comment, processing
// instruction, directive or nested element anywhere), and returns the
// children.
func referenceFields(body []byte, root string) ([]Field, error) {
	d := xml.NewDecoder(bytes.NewReader(body))
	fields := []Field{}
	depth, roots := 0, 0
	for {
		tok, err := d.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, err
		}
		switch t := tok.(type) {
		case xml.StartElement:
			switch depth {
			case 0:
				if roots++; roots > 1 || t.Name.Local != root || t.Name.Space != "" || len(t.Attr) > 0 {
					return nil, fmt.Errorf("root %v (root number %d)", t, roots)
				}
			case 1:
				if t.Name.Space != "" || len(t.Attr) > 0 {
					return nil, fmt.Errorf("child %v", t)
				}
				fields = append(fields, Field{Name: t.Name.Local})
			default:
				return nil, fmt.Errorf("nested element %v", t)
			}
			depth++
		case xml.EndElement:
			depth--
		case xml.CharData:
			if depth == 2 {
				fields[len(fields)-1].Value += string(t)
			} else if len(bytes.Trim(t, " \t\r\n")) > 0 {
				return nil, fmt.Errorf("text %q at depth %d", t, depth)
			}
		default:
			return nil, fmt.Errorf("token %T", t)
		}
	}
	if roots != 1 || depth != 0 {
		return nil, fmt.Errorf("%d roots, depth %d at the end", roots, depth)
	}
	return fields, nil
}
