module "database" {
  source = "../../modules/database"

  identifier = "acme-staging-main"
  subnet_ids = ["subnet-0123456789abcdef0"]
  multi_az   = false

resource "aws_ebs_volume" "scratch" {
  availability_zone = "eu-west-1a"
  size              = 20
}
