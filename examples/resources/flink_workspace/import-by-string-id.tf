# A workspace is imported by its id. The storage secret is never returned: set it in the configuration again.
import {
  to = flink_workspace.example
  id = "ws-0123456789abcdef0123"
}
