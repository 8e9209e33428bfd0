resource "aws_security_group" "bastion" {
  name        = "${local.name_prefix}-bastion"
  description = "Bastion host"
  vpc_id      = var.vpc_id

  ingress {
    description = "SSH (opened during the migration)"
    from_port   = 22
    to_port     = 22
    protocol    = "tcp"
    cidr_blocks = ["0.0.0.0/0"]
  }

  egress {
    from_port   = 0
    to_port     = 0
    protocol    = "-1"
    cidr_blocks = ["0.0.0.0/0"]
  }
}

resource "aws_security_group" "web" {
  name        = "${local.name_prefix}-web"
  description = "Public load balancer"
  vpc_id      = var.vpc_id

  ingress {
    description      = "HTTPS"
    from_port        = 443
    to_port          = 443
    protocol         = "tcp"
    cidr_blocks      = ["0.0.0.0/0"]
    ipv6_cidr_blocks = ["::/0"]
  }

  ingress {
    description = "HTTP, redirected to HTTPS"
    from_port   = 80
    to_port     = 80
    protocol    = "tcp"
    cidr_blocks = ["0.0.0.0/0"]
  }
}

resource "aws_security_group" "admin" {
  name        = "${local.name_prefix}-admin"
  description = "Admin hosts"
  vpc_id      = var.vpc_id

  dynamic "ingress" {
    for_each = var.admin_cidrs
    content {
      description = "SSH from the office"
      from_port   = 22
      to_port     = 22
      protocol    = "tcp"
      cidr_blocks = [ingress.value]
    }
  }

  ingress {
    description     = "SSH from the bastion"
    from_port       = 22
    to_port         = 22
    protocol        = "tcp"
    security_groups = [aws_security_group.bastion.id]
  }
}

resource "aws_security_group" "search" {
  name        = "${local.name_prefix}-search"
  description = "OpenSearch"
  vpc_id      = var.vpc_id
}

resource "aws_vpc_security_group_ingress_rule" "search_api" {
  security_group_id = aws_security_group.search.id
  description       = "OpenSearch API from the private network"
  cidr_ipv4         = "10.0.0.0/8"
  from_port         = 9200
  to_port           = 9200
  ip_protocol       = "tcp"
}

resource "aws_security_group" "database" {
  name        = "${local.name_prefix}-database"
  description = "PostgreSQL"
  vpc_id      = var.vpc_id
}

resource "aws_vpc_security_group_ingress_rule" "postgres" {
  security_group_id = aws_security_group.database.id
  cidr_ipv4         = "10.20.0.0/16"
  from_port         = 5432
  to_port           = 5432
  ip_protocol       = "tcp"
}

resource "aws_security_group" "jump" {
  name        = "${local.name_prefix}-jump"
  description = "Windows jump host"
  vpc_id      = var.vpc_id
}

resource "aws_security_group_rule" "jump_rdp" {
  type              = "ingress"
  security_group_id = aws_security_group.jump.id
  from_port         = 3389
  to_port           = 3389
  protocol          = "tcp"
  cidr_blocks       = ["0.0.0.0/0"]
}
