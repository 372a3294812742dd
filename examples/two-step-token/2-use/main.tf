# Step 2, a configuration of its own: it reads the token from step 1's state, which is known at plan
# time here, so the aliased provider is configured before anything is planned.
terraform {
  required_providers {
    flink = { source = "streamstate/flink" }
  }
}

provider "flink" {} # the admin, for reading what step 1 made

data "terraform_remote_state" "token" {
  backend = "local"
  config  = { path = "../1-token/terraform.tfstate" }
}

provider "flink" {
  alias = "ci"
  token = data.terraform_remote_state.token.outputs.ci_token
}

resource "flink_variable" "region" {
  provider     = flink.ci
  namespace_id = data.terraform_remote_state.token.outputs.namespace_id
  name         = "region"
  value        = "eu"
}
