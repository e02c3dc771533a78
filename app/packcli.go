package app

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/tagbot/tagbot/config"
	"github.com/tagbot/tagbot/internal/display"
	"github.com/tagbot/tagbot/store"
)

// PackGroup is one tag group a rule pack declares (`groups:` of a pack
// file): the group's name and the names of its tags. 规则包声明的标签组。
type PackGroup struct {
	Name string   `yaml:"name"`
	Tags []string `yaml:"tags"`
}

// PackTags is what `tagbot pack apply` reads of a pack file: its name and
// the tag groups it declares. The rules are the rule engine's to load.
type PackTags struct {
	Name   string      `yaml:"name"`
	Groups []PackGroup `yaml:"groups"`
}

// PackTag names one tag of a pack after apply, with the id it has on WeCom.
type PackTag struct {
	Group, Name, ID string
}

// PackReport is what ApplyPack did: the tags it created on WeCom and those
// that already existed (in the store's library, refreshed from WeCom first).
type PackReport struct {
	Pack    string
	Created []PackTag
	Existed []PackTag
}

// packCreator is what applying a pack needs of mirror.Syncer: the library
// read from WeCom into the store, and a tag created on WeCom and recorded.
type packCreator interface {
	RefreshLibrary(ctx context.Context) ([]store.Tag, error)
	CreateTag(ctx context.Context, groupName, tagName string) (store.Tag, error)
}

// ParsePackTags reads the name and tag groups of a pack file's content.
// Every group needs a name and at least one tag; a tag may appear once in a
// group. Errors name the group (and the line, for YAML errors).
func ParsePackTags(data []byte) (PackTags, error) {
	var p PackTags
	dec := yaml.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&p); err != nil {
		if errors.Is(err, io.EOF) {
			return PackTags{}, errors.New("empty pack file")
		}
		return PackTags{}, err
	}
	p.Name = strings.TrimSpace(p.Name)
	if p.Name == "" {
		return PackTags{}, errors.New("name: required")
	}
	if len(p.Groups) == 0 {
		return PackTags{}, errors.New("groups: a pack declares at least one tag group")
	}
	seenGroup := map[string]bool{}
	for i := range p.Groups {
		g := &p.Groups[i]
		g.Name = strings.TrimSpace(g.Name)
		if g.Name == "" {
			return PackTags{}, fmt.Errorf("groups[%d].name: required", i)
		}
		if seenGroup[g.Name] {
			return PackTags{}, fmt.Errorf("groups[%d]: group %q declared twice", i, g.Name)
		}
		seenGroup[g.Name] = true
		if len(g.Tags) == 0 {
			return PackTags{}, fmt.Errorf("groups[%d] (%s).tags: at least one tag", i, g.Name)
		}
		seen := map[string]bool{}
		for j, t := range g.Tags {
			t = strings.TrimSpace(t)
			if t == "" {
				return PackTags{}, fmt.Errorf("groups[%d] (%s).tags[%d]: empty tag name", i, g.Name, j)
			}
			if seen[t] {
				return PackTags{}, fmt.Errorf("groups[%d] (%s).tags[%d]: tag %q listed twice", i, g.Name, j, t)
			}
			seen[t] = true
			g.Tags[j] = t
		}
	}
	return p, nil
}

// ApplyPack is `tagbot pack apply FILE`: it creates the pack's missing tag
// groups and tags on WeCom (add_corp_tag), records them in the store's
// library and writes what it created and what already existed to out. It
// is idempotent: a second run creates nothing. It needs the store to
// itself, so it refuses (ExitUsage) while `serve` holds it.
func ApplyPack(ctx context.Context, configPath, packPath string, out, logw io.Writer) error {
	cfg, err := loadConfig(configPath, true)
	if err != nil {
		return err
	}
	return applyPackWith(ctx, cfg, packPath, out, logw)
}

// applyPackWith is ApplyPack on a loaded configuration.
func applyPackWith(ctx context.Context, cfg *config.Config, packPath string, out, logw io.Writer) error {
	data, err := os.ReadFile(packPath)
	if err != nil {
		return UsageError{fmt.Errorf("pack: %w", err)}
	}
	pack, err := ParsePackTags(data)
	if err != nil {
		return UsageError{fmt.Errorf("%s: %w", packPath, err)}
	}
	m, err := New(cfg, Options{Logger: newLogger(cfg, logw)})
	if err != nil {
		return err
	}
	defer m.Store.Close()
	rep, err := applyPack(ctx, m.Store, m.Syncer, pack)
	if err != nil {
		return err
	}
	renderPackReport(out, rep)
	return nil
}

// applyPack refreshes the library from WeCom, then creates each tag of the
// pack the library lacks in its group.
func applyPack(ctx context.Context, st *store.Store, c packCreator, pack PackTags) (PackReport, error) {
	rep := PackReport{Pack: pack.Name}
	if _, err := c.RefreshLibrary(ctx); err != nil {
		return rep, fmt.Errorf("pack apply: %w", err)
	}
	for _, g := range pack.Groups {
		for _, name := range g.Tags {
			if t, ok, err := libraryTag(st, g.Name, name); err != nil {
				return rep, fmt.Errorf("pack apply: %w", err)
			} else if ok {
				rep.Existed = append(rep.Existed, PackTag{Group: g.Name, Name: name, ID: t.ID})
				continue
			}
			t, err := c.CreateTag(ctx, g.Name, name)
			if err != nil {
				return rep, fmt.Errorf("pack apply: %w", err)
			}
			rep.Created = append(rep.Created, PackTag{Group: g.Name, Name: name, ID: t.ID})
		}
	}
	return rep, nil
}

// libraryTag finds the live tag name in group group in the store's library.
func libraryTag(st *store.Store, group, name string) (store.Tag, bool, error) {
	same, err := st.TagsByName(name)
	if err != nil {
		return store.Tag{}, false, err
	}
	for _, t := range same {
		if t.GroupName == group && !t.Deleted {
			return t, true, nil
		}
	}
	return store.Tag{}, false, nil
}

// renderPackReport writes one line per tag, then the totals.
func renderPackReport(out io.Writer, rep PackReport) {
	fmt.Fprintf(out, "规则包 pack %s\n", display.Name(rep.Pack))
	for _, t := range rep.Created {
		fmt.Fprintf(out, "  新建 created  %s/%s  %s\n", display.Name(t.Group), display.Name(t.Name), t.ID)
	}
	for _, t := range rep.Existed {
		fmt.Fprintf(out, "  已有 existed  %s/%s  %s\n", display.Name(t.Group), display.Name(t.Name), t.ID)
	}
	fmt.Fprintf(out, "新建 %d 个标签，已有 %d 个 (created %d, existed %d)\n",
		len(rep.Created), len(rep.Existed), len(rep.Created), len(rep.Existed))
}
