# Import gives every attribute but the token itself, which the engine shows only once.
terraform import flink_api_token.ci tok-0123456789abcdef0123
