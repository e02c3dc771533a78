//go:build tools

// Package pin keeps in go.mod the modules the project has chosen but does
// not import yet, so that `go mod tidy` (which CI runs with -diff) keeps
// them at the chosen versions instead of dropping them:
//
//   - github.com/expr-lang/expr: the condition language of classify/
//     (rules such as `"高意向" in tags && days_since_contact > 30`).
//
// The "tools" build tag keeps this file out of every build; `go mod tidy`
// reads files of all build tags, so the imports count for it. Delete an
// import here once a real package imports that module.
//
// 固定选型但尚未使用的依赖，避免 go mod tidy 把它们删掉。
package pin

import (
	_ "github.com/expr-lang/expr"
)
