package app

import (
	"context"
	"fmt"
	"io"

	"github.com/tagbot/tagbot/classify/rules"
	"github.com/tagbot/tagbot/config"
	"github.com/tagbot/tagbot/internal/display"
	"github.com/tagbot/tagbot/store"
)

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

// ApplyPack is `tagbot pack apply FILE`: it reads the pack with the rule
// engine's loader (rules.LoadPack; a bad pack is refused, ExitUsage),
// creates the pack's missing tag groups and tags on WeCom (add_corp_tag),
// records them in the store's library and writes what it created and what
// already existed to out. It is idempotent: a second run creates nothing.
// It needs the store to itself, so it refuses (ExitUsage) while `serve`
// holds it.
func ApplyPack(ctx context.Context, configPath, packPath string, out, logw io.Writer) error {
	cfg, err := loadConfig(configPath, credsAPI)
	if err != nil {
		return err
	}
	return applyPackWith(ctx, cfg, packPath, out, logw)
}

// applyPackWith is ApplyPack on a loaded configuration.
func applyPackWith(ctx context.Context, cfg *config.Config, packPath string, out, logw io.Writer) error {
	pack, err := rules.LoadPack(packPath)
	if err != nil {
		return UsageError{err}
	}
	m, err := New(cfg, Options{Logger: newLogger(cfg, logw), NoCallback: true})
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
func applyPack(ctx context.Context, st *store.Store, c packCreator, pack *rules.Pack) (PackReport, error) {
	rep := PackReport{Pack: pack.Name}
	if _, err := c.RefreshLibrary(ctx); err != nil {
		return rep, fmt.Errorf("pack apply: %w", err)
	}
	for _, g := range pack.Groups {
		for _, name := range g.Tags {
			if t, ok, err := libraryTag(st, g.Name, name); err != nil {
				return rep, fmt.Errorf("pack apply: %w", err)
			} else if ok {
				rep.Existed = append(rep.Existed, PackTag{Group: t.GroupName, Name: name, ID: t.ID})
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

// libraryTag finds the live tag name in the store's library: in group
// group, else in any other group. Rules name tags without their group, so
// a pack's tag that already exists elsewhere is used as it is: creating a
// second tag of that name would make every rule naming it ambiguous.
func libraryTag(st *store.Store, group, name string) (store.Tag, bool, error) {
	same, err := st.TagsByName(name)
	if err != nil {
		return store.Tag{}, false, err
	}
	var other *store.Tag
	for i, t := range same {
		switch {
		case t.Deleted:
		case t.GroupName == group:
			return t, true, nil
		case other == nil:
			other = &same[i]
		}
	}
	if other != nil {
		return *other, true, nil
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
