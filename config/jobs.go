package config

import "gopkg.in/yaml.v3"

// Defaults of jobs:.
const (
	DefaultJobChunk      = 200
	DefaultJobMaxBacklog = 1000
)

// Jobs tunes the durable background jobs (/bulk runs, imports, mass undo,
// merges; package jobs). 后台批量任务。
type Jobs struct {
	// Chunk is how many rows of a job one store transaction applies.
	// 每个事务处理的行数。
	Chunk int
	// MaxBacklog: while this many WeCom calls wait in the outbox, jobs
	// apply nothing more, so their progress follows WeCom's.
	// 发件箱中待发送的调用达到该数量时，后台任务暂停推进。
	MaxBacklog int
}

// jobs decodes jobs:.
func (d *decoder) jobs(j *Jobs) func(n *yaml.Node, p string) {
	return func(n *yaml.Node, p string) {
		d.mapping(n, p, []field{{"chunk", d.integer(&j.Chunk)}, {"max_backlog", d.integer(&j.MaxBacklog)}})
	}
}

// validateJobs checks jobs:.
func (c *Config) validateJobs(r *reporter) {
	if n := c.Jobs.Chunk; n < 1 || n > 10000 {
		r.add("jobs.chunk", "must be between 1 and 10000 rows, got %d", n)
	}
	if n := c.Jobs.MaxBacklog; n < 1 {
		r.add("jobs.max_backlog", "must be at least 1, got %d", n)
	}
}
