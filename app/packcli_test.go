package app

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/tagbot/tagbot/classify"
	"github.com/tagbot/tagbot/classify/rules"
	"github.com/tagbot/tagbot/config"
	"github.com/tagbot/tagbot/store"
	"github.com/tagbot/tagbot/wecom/wecomtest"
	"gopkg.in/yaml.v3"
)

// packCompany is a fake WeCom with one group made in the console (咨询意图
// with 询价) and a config pointing at it, the store in t.TempDir.
func packCompany(t *testing.T) (*wecomtest.Server, *config.Config) {
	t.Helper()
	fake := wecomtest.New(wecomtest.Options{})
	t.Cleanup(fake.Close)
	fake.AddTagGroup("咨询意图", "询价")
	cfg := config.Default()
	UseFake(cfg, fake)
	cfg.Store.Path = filepath.Join(t.TempDir(), "tagbot.db")
	return fake, cfg
}

// writePack writes a pack file in t.TempDir and returns its path.
func writePack(t *testing.T, text string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "pack.yaml")
	if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

const testPack = `name: test
groups:
  - name: 咨询意图
    tags: [询价, 售后]
  - name: 购买阶段
    tags: [购买意向]
rules: []
`

// wecomNames is every live group/tag on the fake WeCom, sorted.
func wecomNames(fake *wecomtest.Server) []string {
	var out []string
	for _, g := range fake.TagGroups() {
		for _, tg := range g.Tags {
			out = append(out, g.Name+"/"+tg.Name)
		}
	}
	slices.Sort(out)
	return out
}

// TestApplyPack: the missing tags are created in their groups (in the
// console's group when one of that name exists), the existing one is
// reported as existing, and a second run creates nothing.
func TestApplyPack(t *testing.T) {
	fake, cfg := packCompany(t)
	path := writePack(t, testPack)
	type result struct{ Created, Existed []string }
	runs := []struct {
		name string
		want result
	}{
		{"first", result{Created: []string{"咨询意图/售后", "购买阶段/购买意向"}, Existed: []string{"咨询意图/询价"}}},
		{"again", result{Existed: []string{"咨询意图/询价", "咨询意图/售后", "购买阶段/购买意向"}}},
	}
	for _, run := range runs {
		t.Run(run.name, func(t *testing.T) {
			var out bytes.Buffer
			if err := applyPackWith(context.Background(), cfg, path, &out, &bytes.Buffer{}); err != nil {
				t.Fatalf("apply: %v", err)
			}
			got := parseReport(t, out.String())
			if !reflect.DeepEqual(got.Created, run.want.Created) {
				t.Errorf("Created = %v, want %v\n%s", got.Created, run.want.Created, out.String())
			}
			if !reflect.DeepEqual(got.Existed, run.want.Existed) {
				t.Errorf("Existed = %v, want %v\n%s", got.Existed, run.want.Existed, out.String())
			}
		})
	}
	want := []string{"咨询意图/售后", "咨询意图/询价", "购买阶段/购买意向"}
	if got := wecomNames(fake); !reflect.DeepEqual(got, want) {
		t.Errorf("WeCom tags = %v, want %v", got, want)
	}
	if n := len(fake.TagGroups()); n != 2 {
		t.Errorf("WeCom has %d groups, want 2 (售后 joins the console's 咨询意图)", n)
	}
	st, err := store.Open(cfg.Store.Path, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	for _, w := range want {
		group, name, _ := strings.Cut(w, "/")
		if _, ok, err := libraryTag(st, group, name); err != nil || !ok {
			t.Errorf("store library lacks %s (err %v)", w, err)
		}
	}
}

// TestApplyPackReusesNameInOtherGroup: a pack tag whose name already
// exists in another group is used as it is (reported with its own group),
// not created a second time: rules name tags without their group, so two
// tags of one name would make them ambiguous (compileRules refuses that).
func TestApplyPackReusesNameInOtherGroup(t *testing.T) {
	fake, cfg := packCompany(t)
	fake.AddTagGroup("消费特征", "价格敏感型")
	path := writePack(t, "name: p\ngroups:\n  - name: 消费类型\n    tags: [价格敏感型, 观望型]\nrules: []\n")
	var out bytes.Buffer
	if err := applyPackWith(context.Background(), cfg, path, &out, &bytes.Buffer{}); err != nil {
		t.Fatalf("apply: %v", err)
	}
	got := parseReport(t, out.String())
	want := struct{ Created, Existed []string }{Created: []string{"消费类型/观望型"}, Existed: []string{"消费特征/价格敏感型"}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("report = %+v, want %+v\n%s", got, want, out.String())
	}
	if n := strings.Count(strings.Join(wecomNames(fake), " "), "价格敏感型"); n != 1 {
		t.Errorf("WeCom has %d tags named 价格敏感型, want 1: %v", n, wecomNames(fake))
	}
}

// TestCompileRulesRefusesAmbiguousTag: a rule naming a tag that exists in
// two groups is refused with its file, line and the groups.
func TestCompileRulesRefusesAmbiguousTag(t *testing.T) {
	fake, cfg := packCompany(t)
	fake.AddTagGroup("消费特征", "询价")
	m, err := New(cfg, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer m.Store.Close()
	if _, err := m.Syncer.FullSync(context.Background()); err != nil {
		t.Fatal(err)
	}
	var doc yaml.Node
	if err := yaml.Unmarshal([]byte("- name: 问价\n  keywords: [多少钱]\n  tags: [询价]\n"), &doc); err != nil {
		t.Fatal(err)
	}
	set, err := rules.ParseRules(doc.Content[0], "r.yaml", "")
	if err != nil {
		t.Fatal(err)
	}
	lib, err := libraryNamesOf(m.Store, nil)
	if err != nil {
		t.Fatal(err)
	}
	_, err = classify.Compile(set, lib)
	want := `r.yaml:3: rule "问价": tags: tag "询价" is in 2 groups (咨询意图, 消费特征): rename all but one in WeCom, so the rule names one tag`
	if err == nil || err.Error() != want {
		t.Errorf("Compile error = %v\nwant %s", err, want)
	}
}

// parseReport reads the created and existed lines back from the report.
func parseReport(t *testing.T, out string) (r struct{ Created, Existed []string }) {
	t.Helper()
	for _, line := range strings.Split(out, "\n") {
		f := strings.Fields(line)
		if len(f) < 3 {
			continue
		}
		switch f[1] {
		case "created":
			r.Created = append(r.Created, f[2])
		case "existed":
			r.Existed = append(r.Existed, f[2])
		}
	}
	return r
}

// TestApplyPackRefusedWhileStoreInUse: with the store held (as serve holds
// it), apply refuses with the store's lock error, exit code 2, and creates
// nothing on WeCom.
func TestApplyPackRefusedWhileStoreInUse(t *testing.T) {
	fake, cfg := packCompany(t)
	st, err := store.Open(cfg.Store.Path, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	err = applyPackWith(context.Background(), cfg, writePack(t, testPack), &bytes.Buffer{}, &bytes.Buffer{})
	if !errors.Is(err, store.ErrLocked) || ExitCode(err) != ExitUsage {
		t.Fatalf("apply while the store is held: %v (exit %d), want ErrLocked, exit %d", err, ExitCode(err), ExitUsage)
	}
	if got := wecomNames(fake); !reflect.DeepEqual(got, []string{"咨询意图/询价"}) {
		t.Errorf("WeCom tags changed: %v", got)
	}
}

// TestApplyShippedPacks: every pack under packs/ applies to a company,
// creating each tag it declares in its group, after which its rules compile
// against the store's library.
func TestApplyShippedPacks(t *testing.T) {
	files, err := filepath.Glob("../packs/*.yaml")
	if err != nil || len(files) == 0 {
		t.Fatalf("no packs found: %v", err)
	}
	for _, file := range files {
		t.Run(filepath.Base(file), func(t *testing.T) {
			fake, cfg := packCompany(t)
			pack, err := rules.LoadPack(file)
			if err != nil {
				t.Fatalf("load: %v", err)
			}
			want := []string{"咨询意图/询价"}
			for _, g := range pack.Groups {
				for _, tg := range g.Tags {
					want = append(want, g.Name+"/"+tg)
				}
			}
			slices.Sort(want)
			want = slices.Compact(want)
			if err := applyPackWith(context.Background(), cfg, file, &bytes.Buffer{}, &bytes.Buffer{}); err != nil {
				t.Fatalf("apply: %v", err)
			}
			if got := wecomNames(fake); !reflect.DeepEqual(got, want) {
				t.Errorf("WeCom tags = %v, want %v", got, want)
			}
			// The store's library now has every tag the pack's rules name,
			// so the pack compiles against it (as serve checks at start).
			st, err := store.Open(cfg.Store.Path, store.Options{})
			if err != nil {
				t.Fatal(err)
			}
			defer st.Close()
			tags, err := st.Tags(false)
			if err != nil {
				t.Fatal(err)
			}
			var lib []string
			for _, tg := range tags {
				lib = append(lib, tg.Name)
			}
			if _, err := classify.Compile(pack.Rules, classify.NewTagNames(lib)); err != nil {
				t.Errorf("pack does not compile against the library after apply: %v", err)
			}
		})
	}
}

// TestApplyPackBadFile: a missing or malformed pack file is a usage error
// and nothing reaches WeCom.
func TestApplyPackBadFile(t *testing.T) {
	fake, cfg := packCompany(t)
	cases := []struct{ name, path string }{
		{"missing", filepath.Join(t.TempDir(), "nope.yaml")},
		{"not yaml", writePack(t, "name: x\ngroups: [\n")},
		{"bad rule", writePack(t, "name: x\ngroups:\n  - {name: g, tags: [a]}\nrules:\n  - {name: r, tags: [a], regex: '(' }\n")},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := applyPackWith(context.Background(), cfg, c.path, &bytes.Buffer{}, &bytes.Buffer{})
			if ExitCode(err) != ExitUsage {
				t.Fatalf("apply %s: %v (exit %d), want exit %d", c.name, err, ExitCode(err), ExitUsage)
			}
		})
	}
	if n := len(fake.CallsTo("externalcontact/add_corp_tag")); n != 0 {
		t.Errorf("%d add_corp_tag calls for bad pack files", n)
	}
}
