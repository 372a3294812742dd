# A workspace is imported by its id. The storage secret is never returned: set it in the configuration again.
terraform import flink_workspace.example ws-0123456789abcdef0123
