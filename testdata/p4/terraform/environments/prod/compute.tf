resource "aws_launch_template" "worker" {
  name_prefix   = "${local.name_prefix}-worker-"
  image_id      = "ami-0c1d2e3f4a5b6c7d8"
  instance_type = "m7g.large"
}

# Queue workers: scaled by hand, one instance most of the time.
resource "aws_autoscaling_group" "worker" {
  name                = "${local.name_prefix}-worker"
  min_size            = 1
  max_size            = 4
  desired_capacity    = 1
  vpc_zone_identifier = var.private_subnet_ids

  launch_template {
    id      = aws_launch_template.worker.id
    version = "$Latest"
  }
}

resource "aws_autoscaling_group" "web" {
  name                = "${local.name_prefix}-web"
  min_size            = 2
  max_size            = 6
  desired_capacity    = 3
  vpc_zone_identifier = var.private_subnet_ids

  launch_template {
    id      = aws_launch_template.worker.id
    version = "$Latest"
  }
}
