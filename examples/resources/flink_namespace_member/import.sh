# <namespace_id>/<user>
terraform import flink_namespace_member.alice ns-0123456789abcdef0123/alice
