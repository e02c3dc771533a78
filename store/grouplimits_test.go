package store

import (
	"reflect"
	"strings"
	"testing"
)

// TestJobRowGroupLimits: with 客户等级 max 1 and 赵敏 already holding both
// VIP and 普通 (a violation from before the limit), a job row fails only
// when it makes the group worse.
func TestJobRowGroupLimits(t *testing.T) {
	tests := []struct {
		name       string
		add, rm    []string
		want       []string // 赵敏's tags after
		wantFailed bool
	}{
		{"other group", []string{"t3"}, nil, []string{"t1", "t2", "t3"}, false},
		{"takes one off", nil, []string{"t1"}, []string{"t2"}, false},
		{"swap within", []string{"t1"}, []string{"t2"}, []string{"t1"}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, _ := openTest(t)
			apply(t, s, "setup", "c2", []string{"t1", "t2"}, nil)
			s.SetGroupLimits(map[string]GroupLimit{"客户等级": {Max: 1}})
			job, err := s.CreateJob(Job{Kind: "bulk", Actor: "boss", Source: SourceBulk},
				[]JobRow{{Customer: "c2", Follower: "zhangsan", Add: tags(tt.add...), Remove: tags(tt.rm...)}})
			must(t, err)
			job, err = s.ApplyJobChunk(job.ID, 10)
			must(t, err)
			if got := relTags(t, s, "c2", "zhangsan"); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("tags = %v, want %v", got, tt.want)
			}
			if got := job.FailedN > 0; got != tt.wantFailed {
				t.Errorf("failed = %v (%v), want %v", got, job.Failed, tt.wantFailed)
			}
		})
	}
	t.Run("adds a third", func(t *testing.T) {
		s, _ := openTest(t)
		apply(t, s, "setup", "c2", []string{"t1"}, nil)
		s.SetGroupLimits(map[string]GroupLimit{"客户等级": {Max: 1}})
		job, err := s.CreateJob(Job{Kind: "bulk", Actor: "boss", Source: SourceBulk},
			[]JobRow{{Customer: "c2", Follower: "zhangsan", Add: tags("t2")}})
		must(t, err)
		job, err = s.ApplyJobChunk(job.ID, 10)
		must(t, err)
		if got := relTags(t, s, "c2", "zhangsan"); !reflect.DeepEqual(got, []string{"t1"}) {
			t.Errorf("tags = %v, want [t1]", got)
		}
		if len(job.Examples) != 1 || !strings.Contains(job.Examples[0].Reason, "标签组「客户等级」最多 1 个标签，客户已有「VIP」") {
			t.Errorf("failures = %+v, want one naming 客户等级 and VIP", job.Examples)
		}
	})
}
