# The Glue job runs in the existing VPC's private subnets. Nothing here opens a path from the internet.

data "aws_vpc" "selected" {
  tags = {
    Name = var.vpc_name
  }
}

data "aws_subnets" "private" {
  filter {
    name   = "vpc-id"
    values = [data.aws_vpc.selected.id]
  }

  tags = {
    (var.private_subnet_tag.key) = var.private_subnet_tag.value
  }
}

data "aws_subnet" "glue" {
  id = sort(data.aws_subnets.private.ids)[0]
}

data "aws_subnet" "private" {
  for_each = toset(data.aws_subnets.private.ids)

  id = each.key
}

# Route tables of the private subnets: those explicitly associated with one of them, plus the VPC's main route table
# when a private subnet has no explicit association (it then uses the main table implicitly, which a filter on
# association.subnet-id does not find).
data "aws_route_tables" "private" {
  vpc_id = data.aws_vpc.selected.id

  filter {
    name   = "association.subnet-id"
    values = data.aws_subnets.private.ids
  }
}

data "aws_route_table" "private" {
  for_each = toset(data.aws_route_tables.private.ids)

  route_table_id = each.key
}

data "aws_route_table" "main" {
  vpc_id = data.aws_vpc.selected.id

  filter {
    name   = "association.main"
    values = ["true"]
  }
}

locals {
  explicitly_routed_subnets = toset(flatten([for table in data.aws_route_table.private : [for a in table.associations : a.subnet_id if a.subnet_id != ""]]))
  implicitly_routed_subnets = setsubtract(toset(data.aws_subnets.private.ids), local.explicitly_routed_subnets)
  private_route_table_ids = sort(distinct(concat(
    data.aws_route_tables.private.ids,
    length(local.implicitly_routed_subnets) > 0 ? [data.aws_route_table.main.id] : [],
  )))

  # Interface endpoints take one subnet per availability zone (two subnets of one zone are refused): the first by id.
  endpoint_subnet_ids = [
    for zone, ids in { for subnet in data.aws_subnet.private : subnet.availability_zone => subnet.id... } : sort(ids)[0]
  ]
  interface_endpoints = toset(var.interface_endpoint_services)
}

data "aws_prefix_list" "s3" {
  name = "com.amazonaws.${var.aws_region}.s3"
}

data "aws_prefix_list" "dynamodb" {
  name = "com.amazonaws.${var.aws_region}.dynamodb"
}

# Glue's Spark driver and executors talk to each other on any TCP port, which is why the group
# references itself; everything else is outbound only, to named destinations.
resource "aws_security_group" "glue" {
  name        = "${local.prefix}-glue-ingest"
  description = "Glue ingest job: self-referencing traffic between workers, HTTPS to AWS endpoints, JDBC to on-premise databases."
  vpc_id      = data.aws_vpc.selected.id

  tags = {
    Name = "${local.prefix}-glue-ingest"
  }
}

resource "aws_vpc_security_group_ingress_rule" "glue_self" {
  security_group_id            = aws_security_group.glue.id
  description                  = "Glue workers of the same job run"
  ip_protocol                  = "tcp"
  from_port                    = 0
  to_port                      = 65535
  referenced_security_group_id = aws_security_group.glue.id
}

resource "aws_vpc_security_group_egress_rule" "glue_self" {
  security_group_id            = aws_security_group.glue.id
  description                  = "Glue workers of the same job run"
  ip_protocol                  = "tcp"
  from_port                    = 0
  to_port                      = 65535
  referenced_security_group_id = aws_security_group.glue.id
}

resource "aws_vpc_security_group_egress_rule" "glue_s3" {
  security_group_id = aws_security_group.glue.id
  description       = "S3 through the gateway endpoint"
  ip_protocol       = "tcp"
  from_port         = 443
  to_port           = 443
  prefix_list_id    = data.aws_prefix_list.s3.id
}

resource "aws_vpc_security_group_egress_rule" "glue_dynamodb" {
  security_group_id = aws_security_group.glue.id
  description       = "DynamoDB through the gateway endpoint"
  ip_protocol       = "tcp"
  from_port         = 443
  to_port           = 443
  prefix_list_id    = data.aws_prefix_list.dynamodb.id
}

# Without interface endpoints the job reaches Glue, CloudWatch Logs and CloudWatch through the VPC's NAT (HTTPS).
resource "aws_vpc_security_group_egress_rule" "glue_endpoints" {
  count = length(local.interface_endpoints) > 0 ? 1 : 0

  security_group_id            = aws_security_group.glue.id
  description                  = "Interface endpoints of the services the job calls (${join(", ", sort(var.interface_endpoint_services))})"
  ip_protocol                  = "tcp"
  from_port                    = 443
  to_port                      = 443
  referenced_security_group_id = aws_security_group.endpoints[0].id
}

resource "aws_vpc_security_group_egress_rule" "glue_https" {
  count = length(local.interface_endpoints) < 3 ? 1 : 0

  security_group_id = aws_security_group.glue.id
  description       = "HTTPS to the AWS APIs without an interface endpoint here (through the VPC's NAT)"
  ip_protocol       = "tcp"
  from_port         = 443
  to_port           = 443
  cidr_ipv4         = "0.0.0.0/0"
}

resource "aws_vpc_security_group_egress_rule" "glue_onprem_db" {
  for_each = { for pair in setproduct(var.onprem_cidrs, var.onprem_db_ports) : "${pair[0]}:${pair[1]}" => pair }

  security_group_id = aws_security_group.glue.id
  description       = "On-premise database over VPN / Direct Connect"
  ip_protocol       = "tcp"
  from_port         = each.value[1]
  to_port           = each.value[1]
  cidr_ipv4         = each.value[0]
}

resource "aws_security_group" "endpoints" {
  count = length(local.interface_endpoints) > 0 ? 1 : 0

  name        = "${local.prefix}-ingest-endpoints"
  description = "Interface endpoints used by the Glue ingest job: HTTPS from the job only."
  vpc_id      = data.aws_vpc.selected.id

  tags = {
    Name = "${local.prefix}-ingest-endpoints"
  }
}

resource "aws_vpc_security_group_ingress_rule" "endpoints_from_glue" {
  count = length(local.interface_endpoints) > 0 ? 1 : 0

  security_group_id            = aws_security_group.endpoints[0].id
  description                  = "HTTPS from the Glue ingest job"
  ip_protocol                  = "tcp"
  from_port                    = 443
  to_port                      = 443
  referenced_security_group_id = aws_security_group.glue.id
}

resource "aws_vpc_endpoint" "gateway" {
  for_each = var.create_vpc_endpoints ? toset(["s3", "dynamodb"]) : toset([])

  vpc_id            = data.aws_vpc.selected.id
  service_name      = "com.amazonaws.${var.aws_region}.${each.key}"
  vpc_endpoint_type = "Gateway"
  route_table_ids   = local.private_route_table_ids

  tags = {
    Name = "${local.prefix}-${each.key}"
  }
}

resource "aws_vpc_endpoint" "interface" {
  for_each = local.interface_endpoints

  vpc_id              = data.aws_vpc.selected.id
  service_name        = "com.amazonaws.${var.aws_region}.${each.key}"
  vpc_endpoint_type   = "Interface"
  subnet_ids          = local.endpoint_subnet_ids
  security_group_ids  = [aws_security_group.endpoints[0].id]
  private_dns_enabled = true

  tags = {
    Name = "${local.prefix}-${each.key}"
  }
}

# The Glue connection that places the job's network interfaces in a private subnet, so it reaches
# on-premise databases over the VPN / Direct Connect routes of the VPC.
resource "aws_glue_connection" "onprem" {
  name            = "${local.prefix}-onprem-network"
  description     = "Private subnet of ${var.vpc_name}: the route to the on-premise site."
  connection_type = "NETWORK"

  physical_connection_requirements {
    availability_zone      = data.aws_subnet.glue.availability_zone
    subnet_id              = data.aws_subnet.glue.id
    security_group_id_list = [aws_security_group.glue.id]
  }
}
