# <namespace_id>/<user>
import {
  to = flink_namespace_member.alice
  id = "ns-0123456789abcdef0123/alice"
}
