// Package packs holds tagbot's shipped rule packs (the *.yaml files beside
// this one: ecommerce, beauty, education, health) and their tests: every
// pack loads and compiles with the tags it declares, the stories each pack
// is written for fire, and the e-commerce pack is scored on the JDDC dev
// messages (precision and recall per topic; `go test ./packs -run JDDC
// -args -report` prints the table of docs/benchmarks.md). A pack is used by
// listing it under `rule_packs:` in config.yaml; `tagbot pack apply FILE`
// creates its tag groups and tags on WeCom. 内置规则包。
package packs
