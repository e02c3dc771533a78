package nl

import (
	"encoding/json"
	"strings"

	openai "github.com/sashabaranov/go-openai"
)

// The tools offered to the model: one per command it may propose, with
// typed arguments. A call is only a proposal: llmresolve.go checks every
// name against the store and the request, and a write still waits for the
// user's 确认. There is deliberately no tool for /set, /bulk, /import or
// anything acting on many customers, and none that lets the model write a
// reply of its own.

// toolSpec is one tool: its name, what it does, and its properties
// (name → JSON schema); required lists the properties that must be there.
type toolSpec struct {
	name, desc string
	props      map[string]any
	required   []string
}

var (
	strProp = func(desc string) map[string]any {
		return map[string]any{"type": "string", "maxLength": maxArgRunes, "description": desc}
	}
	tagsProp = map[string]any{"type": "array", "items": map[string]any{"type": "string", "maxLength": maxArgRunes},
		"minItems": 1, "maxItems": maxArgTags, "description": "标签名，用标签库里的名字；库里没有就照用户原话写"}
	custProp = strProp("客户：照请求原文写，或写请求里的占位符如〔客户1〕；不要编造")
	timeProp = strProp("时间，照用户原话写：今天、昨天、上周三、3天前、2026-11-20 15:00")
)

// toolSpecs are the tools, one per command.
var toolSpecs = []toolSpec{
	{"tag", "给一位客户打上标签（/tag）", map[string]any{"customer": custProp, "tags": tagsProp}, []string{"customer", "tags"}},
	{"untag", "去掉一位客户的标签（/untag）", map[string]any{"customer": custProp, "tags": tagsProp}, []string{"customer", "tags"}},
	{"tags", "查看一位客户现有的标签（/tags）", map[string]any{"customer": custProp}, []string{"customer"}},
	{"find", "按名字、备注、手机号或标签查找客户（/find）", map[string]any{"text": strProp("名字、备注或号码的片段"), "tags": tagsProp}, nil},
	{"history", "查标签变更记录：谁改了客户的标签、某员工改了什么、某标签被谁删了（/history）", map[string]any{
		"customer": custProp, "employee": strProp("员工的企业微信 userid；说话人自己写 me"), "tag": strProp("标签名"),
		"since": timeProp, "until": timeProp}, nil},
	{"undo", "撤销说话人最近的一次修改（/undo）", map[string]any{}, nil},
	{"redo", "重做刚撤销的修改（/redo）", map[string]any{}, nil},
	{"rollback", "把一位客户的标签恢复到过去某个时间的样子（/rollback）", map[string]any{"customer": custProp, "time": timeProp}, []string{"customer", "time"}},
	{"restore", "恢复一个被删除的标签（/restore tag）", map[string]any{"tag": strProp("被删除的标签名")}, []string{"tag"}},
	{"stats", "标签统计（/stats）：overview 各标签客户数；tags 一个标签的客户数或几个标签的重叠；trend 一个标签的趋势；person 一位员工的变更；team 全体员工", map[string]any{
		"kind": map[string]any{"type": "string", "enum": []string{"overview", "tags", "trend", "person", "team"}},
		"tags": tagsProp, "employee": strProp("员工的企业微信 userid；说话人自己写 me"), "since": timeProp, "until": timeProp}, []string{"kind"}},
	{"help", "说明机器人能做什么（/help）", map[string]any{}, nil},
}

// Bounds of a tool call's arguments.
const (
	maxArgRunes = 40
	maxArgTags  = 6
)

// tools are toolSpecs as the request's Tools.
func tools() []openai.Tool {
	out := make([]openai.Tool, len(toolSpecs))
	for i, t := range toolSpecs {
		params := map[string]any{"type": "object", "properties": t.props, "additionalProperties": false}
		if len(t.required) > 0 {
			params["required"] = t.required
		}
		out[i] = openai.Tool{Type: openai.ToolTypeFunction, Function: &openai.FunctionDefinition{Name: t.name, Description: t.desc, Parameters: params}}
	}
	return out
}

// toolByName finds a tool spec.
func toolByName(name string) (toolSpec, bool) {
	for _, t := range toolSpecs {
		if t.name == name {
			return t, true
		}
	}
	return toolSpec{}, false
}

// toolArgs are the arguments of any tool; decodeArgs checks that only the
// tool's own were given.
type toolArgs struct {
	Customer string   `json:"customer"`
	Tags     []string `json:"tags"`
	Tag      string   `json:"tag"`
	Text     string   `json:"text"`
	Employee string   `json:"employee"`
	Since    string   `json:"since"`
	Until    string   `json:"until"`
	Time     string   `json:"time"`
	Kind     string   `json:"kind"`
}

// decodeArgs reads a call's JSON arguments strictly: an object holding
// only the tool's properties, its required ones present, strings short,
// at most maxArgTags tags. ok is false for anything else.
func decodeArgs(t toolSpec, raw string) (toolArgs, bool) {
	var a toolArgs
	raw = strings.TrimSpace(raw)
	if raw == "" {
		raw = "{}"
	}
	var fields map[string]json.RawMessage
	if json.Unmarshal([]byte(raw), &fields) != nil || json.Unmarshal([]byte(raw), &a) != nil {
		return a, false
	}
	for k := range fields {
		if _, ok := t.props[k]; !ok {
			return a, false
		}
	}
	for _, k := range t.required {
		if _, ok := fields[k]; !ok {
			return a, false
		}
	}
	if len(a.Tags) > maxArgTags {
		return a, false
	}
	for _, s := range append([]string{a.Customer, a.Tag, a.Text, a.Employee, a.Since, a.Until, a.Time, a.Kind}, a.Tags...) {
		if len([]rune(s)) > maxArgRunes {
			return a, false
		}
	}
	return a, true
}
