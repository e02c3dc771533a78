package config

import (
	"reflect"
	"strings"
	"testing"
)

func TestTagSynonyms(t *testing.T) {
	tests := []struct {
		name    string
		yaml    string
		want    [][]string
		wantErr string
	}{
		{"lists", "tag_synonyms:\n  - [北上广, 北京上海广州]\n  - [客户, 用户, 顾客]\n", [][]string{{"北上广", "北京上海广州"}, {"客户", "用户", "顾客"}}, ""},
		{"absent", "", DefaultTagSynonyms(), ""},
		{"turned off", "tag_synonyms: []\n", [][]string{}, ""},
		{"not a list", "tag_synonyms: 北上广\n", nil, "c.yaml:1: tag_synonyms: want a list of lists"},
		{"one entry", "tag_synonyms:\n  - [客户]\n", nil, "tag_synonyms[0]: must list at least two names"},
		{"in two lists", "tag_synonyms:\n  - [客户, 用户]\n  - [用户, 会员]\n", nil, `tag_synonyms[1]: "用户" is already in tag_synonyms[0]`},
		{"empty entry", "tag_synonyms:\n  - [客户, ' ']\n", nil, "tag_synonyms[0][1]: must not be empty"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := Parse([]byte(tt.yaml), "c.yaml", nil)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("error = %v, want it to contain %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(c.TagSynonyms, tt.want) {
				t.Errorf("TagSynonyms = %q, want %q", c.TagSynonyms, tt.want)
			}
		})
	}
}
