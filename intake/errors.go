package intake

import (
	"fmt"
	"net/http"
)

// Error codes of Error. 错误代码。
const (
	CodeBadJSON         = "bad_json"         // the body is not the JSON expected 请求体不是要求的 JSON
	CodeMissingField    = "missing_field"    // a required field is absent or empty 缺少字段
	CodeBadField        = "bad_field"        // a field has a value it cannot have 字段取值不对
	CodeBadFrom         = "bad_from"         // from is neither customer nor employee from 取值不对
	CodeBadTime         = "bad_time"         // time is neither RFC 3339 nor unix seconds 时间看不懂
	CodeTooMany         = "too_many"         // more than MaxItems items 条目太多
	CodeTooLarge        = "too_large"        // the body is over the limit 请求体太大
	CodeUnknownCustomer = "unknown_customer" // no such customer in the store 没有这个客户
	CodeNoRelationship  = "no_relationship"  // the employee does not follow the customer 该员工没有添加这个客户
)

// Error is a refused submission: what is wrong, with which item (its index
// in the request, 0 for a single object), safe to show to the caller as is.
// 可直接返回给调用方的错误。
type Error struct {
	Code     string // one of the Code constants
	Index    int    // the item's index; -1 when the whole request is at fault
	Message  string // English, for the API's "error"
	Customer string // the unknown customer, or the relationship's customer
	Employee string // the employee of a relationship that does not exist
}

// Error returns the message.
func (e *Error) Error() string { return e.Message }

// Status is the HTTP status the API answers the error with.
func (e *Error) Status() int {
	switch e.Code {
	case CodeUnknownCustomer, CodeNoRelationship:
		return http.StatusUnprocessableEntity
	case CodeTooMany, CodeTooLarge:
		return http.StatusRequestEntityTooLarge
	}
	return http.StatusBadRequest
}

// Text is the error in short Chinese for a chat reply, saying what to do.
func (e *Error) Text() string {
	switch e.Code {
	case CodeUnknownCustomer:
		return "找不到这个客户，请先用 /find 查一下客户名"
	case CodeNoRelationship:
		return "这位员工没有添加这个客户，无法归类"
	case CodeTooMany:
		return fmt.Sprintf("一次最多 %d 条，请分批提交", MaxItems)
	}
	return "内容不完整或格式不对，请检查后重试"
}

// itemErr builds an *Error about item i.
func itemErr(i int, code, format string, args ...any) *Error {
	msg := fmt.Sprintf(format, args...)
	if i >= 0 {
		msg = fmt.Sprintf("item %d: %s", i, msg)
	}
	return &Error{Code: code, Index: i, Message: msg}
}
