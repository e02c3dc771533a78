package config

import (
	"net/url"
	"strings"
	"time"

	"gopkg.in/yaml.v3"
)

// Import defaults (import: in config.yaml). 表格导入默认值。
const (
	DefaultImportMaxBadShare = 0.1
	DefaultImportMaxBytes    = 20 << 20
	DefaultImportMaxRows     = 200_000
	DefaultImportLinkTTL     = 30 * time.Minute
)

// Import configures spreadsheet import (/import, the upload page and
// `tagbot import`). 表格导入。
type Import struct {
	// MaxBadShare is the share of bad rows (0..1) above which nothing is
	// applied. 错位或有误的行超过这个比例时整份文件不执行。
	MaxBadShare float64
	// MaxBytes bounds an uploaded file. 上传文件大小上限。
	MaxBytes int64
	// MaxRows bounds the data rows of one file. 单个文件的行数上限。
	MaxRows int
	// LinkTTL is how long an /import link works. 上传链接有效期。
	LinkTTL time.Duration
}

func defaultImport() Import {
	return Import{MaxBadShare: DefaultImportMaxBadShare, MaxBytes: DefaultImportMaxBytes, MaxRows: DefaultImportMaxRows, LinkTTL: DefaultImportLinkTTL}
}

// importer decodes the import: section.
func (d *decoder) importer(im *Import) func(*yaml.Node, string) {
	return func(n *yaml.Node, p string) {
		d.mapping(n, p, []field{
			{"max_bad_share", d.share(&im.MaxBadShare)},
			{"max_bytes", d.integer64(&im.MaxBytes)},
			{"max_rows", d.integer(&im.MaxRows)},
			{"link_ttl", d.duration(&im.LinkTTL)},
		})
	}
}

// share decodes a YAML number (an integer or a float).
func (d *decoder) share(dst *float64) func(*yaml.Node, string) {
	return func(n *yaml.Node, path string) {
		v := deref(n)
		if isNull(v) {
			return
		}
		var f float64
		if v.Kind != yaml.ScalarNode || (v.ShortTag() != "!!float" && v.ShortTag() != "!!int") || v.Decode(&f) != nil {
			d.at(n.Line, path, "want a number between 0 and 1, got %s", describe(v))
			return
		}
		*dst = f
	}
}

// validateImport checks the import: section and server.public_url.
func (c *Config) validateImport(r *reporter) {
	im := c.Import
	if im.MaxBadShare < 0 || im.MaxBadShare > 1 {
		r.add("import.max_bad_share", "must be between 0 and 1 (0.1 is 10%%), got %v", im.MaxBadShare)
	}
	if im.MaxBytes <= 0 {
		r.add("import.max_bytes", "must be a positive number of bytes (got %d)", im.MaxBytes)
	}
	if im.MaxRows <= 0 {
		r.add("import.max_rows", "must be positive (got %d)", im.MaxRows)
	}
	if im.LinkTTL < time.Minute || im.LinkTTL > 24*time.Hour {
		r.add("import.link_ttl", "must be between 1m and 24h, got %s", im.LinkTTL)
	}
	if u := c.Server.PublicURL; u != "" {
		p, err := url.Parse(u)
		if err != nil || (p.Scheme != "https" && p.Scheme != "http") || p.Host == "" || p.RawQuery != "" || strings.HasSuffix(u, "/") {
			r.add("server.public_url", "must be an http(s) URL without a trailing slash or query, e.g. https://tagbot.example.com")
		}
	}
}
