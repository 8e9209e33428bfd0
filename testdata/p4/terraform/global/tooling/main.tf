# Shared tooling account: build runners and their cache.
provider "aws" {
  region = "eu-west-1"
}

resource "aws_ebs_encryption_by_default" "this" {}

resource "aws_ebs_volume" "build_cache" {
  availability_zone = "eu-west-1b"
  size              = 500
  type              = "gp3"
}

resource "aws_autoscaling_group" "runners" {
  name                = "build-runners"
  min_size            = 1
  max_size            = 1
  vpc_zone_identifier = ["subnet-0123456789abcdef0"]

  launch_template {
    name    = "build-runner"
    version = "$Latest"
  }
}
