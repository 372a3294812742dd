import {
  to = flink_draft.report
  id = "draft-0123456789abcdef0123"
}
