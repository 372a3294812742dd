# Import gives every attribute but the token itself, which the engine shows only once.
import {
  to = flink_api_token.ci
  id = "tok-0123456789abcdef0123"
}
