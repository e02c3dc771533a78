// Package china holds the facts about China that several tagbot packages
// share, so each has one definition: today the time zone users mean and
// read.
//
// 中国相关的共享常量：目前只有用户所说、所见的时区。
package china

import "time"

// Zone is China Standard Time (中国标准时间, UTC+8, no daylight saving),
// the zone in which users mean "今天", "昨天" and "3月1日" and in which
// replies show times. It is a fixed zone, not time.LoadLocation
// ("Asia/Shanghai"), so it needs no tzdata on the host: China has kept
// UTC+8 all year since 1991, and tagbot's ledger starts long after that.
//
// Every package that needs the zone uses this variable; do not write
// time.FixedZone(…, 8*3600) elsewhere.
var Zone = time.FixedZone("CST", 8*3600)
