//! The load balancer and autoscaling parts of `setup.sh` and `teardown.sh`
//! (domain.md §8), in the scripts' style: every name looked up first, every
//! value quoted, only what carries this app's marks changed or deleted. The
//! settings come from the plan ([`crate::plan`]).
use super::{compact_json, Script};
use crate::plan::{Certificate, GroupPurpose, HealthCheck, Plan, Source, INGRESS_PROTOCOL};

/// The inputs of both scripts for the load balancer and autoscaling.
pub(super) fn inputs(s: &mut Script, plan: &Plan) {
    if let Some(lb) = &plan.load_balancer {
        s.comment("The load balancer: it and its target group share one name.");
        s.var("LOAD_BALANCER", &lb.name);
        s.var(
            "LB_SECURITY_GROUP_NAME",
            &plan.names.load_balancer_security_group,
        );
        if let Certificate::Requested(domain) = &lb.certificate {
            s.var("DOMAIN_NAME", domain);
            s.var(
                "CERTIFICATE_QUERY",
                &format!("CertificateSummaryList[?DomainName=='{domain}'].CertificateArn"),
            );
        }
    }
    if let Some(scaling) = &plan.autoscaling {
        s.var("SCALABLE_RESOURCE_ID", &scaling.resource_id);
    }
}

/// The setup-only inputs: settings in their API shapes, from the plan.
pub(super) fn setup_inputs(s: &mut Script, plan: &Plan) {
    if let Some(lb) = &plan.load_balancer {
        let group = plan
            .security_group(GroupPurpose::LoadBalancer)
            .expect("a load balancer has its security group");
        s.var("CONTAINER_NAME", &plan.service.container_name);
        s.var("LB_SECURITY_GROUP_DESCRIPTION", &group.description);
        s.var(
            "LB_SECURITY_GROUP_TAGS",
            &crate::ownership::tag_specification("security-group", &plan.app_name),
        );
        let rules: Vec<String> = group
            .ingress
            .iter()
            .map(|rule| match rule.source {
                Source::Ipv4(range) | Source::Ipv6(range) => {
                    format!("{INGRESS_PROTOCOL}/{}/{range}", rule.port)
                }
                Source::Group(_) => unreachable!("the load balancer's group takes the internet"),
            })
            .collect();
        s.array("LB_INGRESS", &rules);
        let mut ports: Vec<String> = Vec::new();
        for rule in &group.ingress {
            let port = format!("{INGRESS_PROTOCOL}/{}", rule.port);
            if !ports.contains(&port) {
                ports.push(port);
            }
        }
        s.var("LB_PORTS_TEXT", &format!(" {}", ports.join(" and ")));
        // Without a limit, as many zones as there are subnets: every zone of them.
        let zones = plan
            .network
            .load_balancer_zone_limit
            .unwrap_or(plan.network.subnets.len());
        s.var("LB_ZONES", &zones.to_string());
        s.array("HEALTH_CHECK", &health_check(&lb.target_group.health_check));
        s.var(
            "DEREGISTRATION_DELAY",
            &format!(
                "Key=deregistration_delay.timeout_seconds,Value={}",
                lb.target_group.deregistration_delay_seconds
            ),
        );
        s.var(
            "HEALTH_CHECK_GRACE",
            &lb.health_check_grace_seconds.to_string(),
        );
        if let Certificate::Existing(arn) = &lb.certificate {
            s.var("CERTIFICATE_ARN", arn);
        }
        if let Some(policy) = lb.ssl_policy {
            s.var("SSL_POLICY", policy);
        }
    }
    if let Some(scaling) = &plan.autoscaling {
        s.var("MIN_COUNT", &scaling.min_capacity.to_string());
        s.var("MAX_COUNT", &scaling.max_capacity.to_string());
        s.var(
            "CPU_TARGET",
            &scaling.target_tracking.target_value.to_string(),
        );
        s.var("SCALING_POLICY", &scaling.policy_name);
        s.var(
            "SCALING_POLICY_CONFIGURATION",
            &compact_json(&scaling.target_tracking),
        );
    }
}

/// The target group's health check flags, for create and modify alike.
fn health_check(check: &HealthCheck) -> Vec<String> {
    [
        ("--health-check-protocol", check.protocol.to_string()),
        ("--health-check-path", check.path.clone()),
        (
            "--health-check-interval-seconds",
            check.interval_seconds.to_string(),
        ),
        (
            "--health-check-timeout-seconds",
            check.timeout_seconds.to_string(),
        ),
        (
            "--healthy-threshold-count",
            check.healthy_threshold.to_string(),
        ),
        (
            "--unhealthy-threshold-count",
            check.unhealthy_threshold.to_string(),
        ),
        ("--matcher", format!("HttpCode={}", check.healthy_codes)),
    ]
    .into_iter()
    .flat_map(|(flag, value)| [flag.to_string(), value])
    .collect()
}

/// Lookups both scripts use for the load balancer.
pub(super) const FUNCTIONS: &str = r#"
# elb_tags ARN: the ownership tags of a load balancer or target group.
elb_tags() {
  aws elbv2 describe-tags --region "$REGION" --resource-arns "$1" \
    --query "TagDescriptions[0].[$IAM_OWNER_QUERY]" --output text
}

# load_balancer_info: the load balancer's ARN and VPC (None when there is none).
load_balancer_info() {
  aws elbv2 describe-load-balancers --region "$REGION" --names "$LOAD_BALANCER" \
    --query 'LoadBalancers[0].[LoadBalancerArn,VpcId]' --output text 2>/dev/null || echo None
}

# target_group_info: the target group's ARN and VPC (None when there is none).
target_group_info() {
  aws elbv2 describe-target-groups --region "$REGION" --names "$LOAD_BALANCER" \
    --query 'TargetGroups[0].[TargetGroupArn,VpcId]' --output text 2>/dev/null || echo None
}

# find_lb_security_group: sets lb_sg_found (tags, id, inbound rule count) and lb_sg_id.
find_lb_security_group() {
  lb_sg_found="$(aws ec2 describe-security-groups --region "$REGION" \
    --filters "Name=vpc-id,Values=$vpc_id" "Name=group-name,Values=$LB_SECURITY_GROUP_NAME" \
    --query "SecurityGroups[0].[$IAM_OWNER_QUERY,GroupId,length(IpPermissions)]" --output text)"
  IFS=$'\t' read -r _ _ lb_sg_id _ <<<"$lb_sg_found"
  lb_sg_id="${lb_sg_id:-None}"
}
"#;

/// `find_certificate`: the certificate this app requested for the domain.
pub(super) const FIND_CERTIFICATE: &str = r#"
# find_certificate: sets certificate_arn to the pending or issued certificate
# for $DOMAIN_NAME that Keyless requested for this app (None if there is none).
find_certificate() {
  local arn
  certificate_arn=None
  for arn in $(aws acm list-certificates --region "$REGION" --certificate-statuses PENDING_VALIDATION ISSUED \
    --query "$CERTIFICATE_QUERY" --output text); do
    if [ "$(owner_of "$(aws acm list-tags-for-certificate --region "$REGION" --certificate-arn "$arn" \
      --query "[$IAM_OWNER_QUERY]" --output text)")" = ours ]; then
      certificate_arn="$arn"
      return 0
    fi
  done
}
"#;

/// The load balancer's subnets: one per Availability Zone (two with the
/// default VPC: each zone adds a billed public IPv4 address). The service's
/// subnets become those of the load balancer's zones: a load balancer sends
/// nothing to targets in a zone it is not in (they stay `unused`,
/// `Target.NotInUse`, never healthy), so a task started in another default
/// subnet would never serve and its deployment would never be stable. With
/// the config's own subnets every zone has a load balancer node: none is dropped.
pub(super) const LOAD_BALANCER_SUBNETS: &str = r#"subnet_zones="$(aws ec2 describe-subnets --region "$REGION" --subnet-ids "${SUBNETS[@]}" \
  --query 'Subnets[].[AvailabilityZone,SubnetId]' --output text | sort)"
read -r -a LB_SUBNETS <<<"$(awk -F '\t' -v max="$LB_ZONES" '!seen[$1]++ && n < max { print $2; n++ }' \
  <<<"$subnet_zones" | tr '\n' ' ')"
if [ "${#LB_SUBNETS[@]}" -lt 2 ]; then
  fail "a load balancer needs subnets in two Availability Zones; these are in one: ${SUBNETS[*]}"
fi
echo "load balancer subnets (one per Availability Zone): ${LB_SUBNETS[*]}"
read -r -a SUBNETS <<<"$(awk -F '\t' -v max="$LB_ZONES" '!($1 in zone) && n < max { zone[$1]; n++ } $1 in zone { print $2 }' \
  <<<"$subnet_zones" | tr '\n' ' ')"
echo "service subnets (the load balancer's zones, where it can reach the tasks): ${SUBNETS[*]}"
"#;

/// Setup's lookups of the load balancer's resources, with their conflicts.
pub(super) const SETUP_LOOKUPS: &str = r#"find_lb_security_group
tag_lb_security_group() { aws ec2 create-tags --region "$REGION" --resources "$lb_sg_id" --tags "${TAGS[@]}"; }
if [ "$lb_sg_id" != None ] && [ "$(owner_of "$lb_sg_found")" != ours ]; then
  IFS=$'\t' read -r _ _ _ lb_sg_rules <<<"$lb_sg_found"
  conflict "security group $LB_SECURITY_GROUP_NAME ($lb_sg_id)" "$(owner_of "$lb_sg_found"); $lb_sg_rules inbound rules" \
    "its inbound rules would become exactly the load balancer's ports from anywhere; teardown.sh would then delete it" \
    tag_lb_security_group
fi
tag_elb() { aws elbv2 add-tags --region "$REGION" --resource-arns "$1" --tags "${TAGS[@]}"; }
IFS=$'\t' read -r lb_arn lb_vpc <<<"$(load_balancer_info)"
if [ "$lb_arn" != None ]; then
  [ "$lb_vpc" = "$vpc_id" ] || fail "the load balancer $LOAD_BALANCER is in $lb_vpc, not in the service's VPC $vpc_id; choose another app name"
  found="$(elb_tags "$lb_arn")"
  if [ "$(owner_of "$found")" != ours ]; then
    conflict "load balancer $LOAD_BALANCER" "$(owner_of "$found")" \
      "its only security group would become $LB_SECURITY_GROUP_NAME and its listeners on ports 80 and 443 would send to $APP_NAME (other listeners kept); teardown.sh would then delete it" \
      "tag_elb $lb_arn"
  fi
fi
IFS=$'\t' read -r tg_arn tg_vpc <<<"$(target_group_info)"
if [ "$tg_arn" != None ]; then
  [ "$tg_vpc" = "$vpc_id" ] || fail "the target group $LOAD_BALANCER is in $tg_vpc, not in the service's VPC $vpc_id; choose another app name"
  found="$(elb_tags "$tg_arn")"
  if [ "$(owner_of "$found")" != ours ]; then
    conflict "target group $LOAD_BALANCER" "$(owner_of "$found")" \
      "its health check would become this app's and the service's tasks would be registered in it; teardown.sh would then delete it" \
      "tag_elb $tg_arn"
  fi
fi
"#;

/// An existing certificate must be issued before anything changes.
pub(super) const CHECK_EXISTING_CERTIFICATE: &str = r#"IFS=$'\t' read -r certificate_status certificate_domain <<<"$(aws acm describe-certificate --region "$REGION" \
  --certificate-arn "$CERTIFICATE_ARN" --query 'Certificate.[Status,DomainName]' --output text 2>/dev/null || echo None)"
case "$certificate_status" in
  ISSUED) echo "certificate: $CERTIFICATE_ARN ($certificate_domain, issued)" ;;
  None | "") fail "the certificate $CERTIFICATE_ARN of keyless.json does not exist in $REGION (a load balancer uses only certificates of its own region)" ;;
  *) fail "the certificate $CERTIFICATE_ARN is $certificate_status, not ISSUED: a load balancer can use only an issued certificate" ;;
esac
"#;

/// Both groups with exactly their rules: the load balancer's open to anyone on
/// its ports, the service's open on the container port to the load balancer's
/// group only.
pub(super) const SECURITY_GROUPS: &str = r#"# keep_only_rules GROUP RULE...: revokes each inbound rule of GROUP that is not
# one of the RULEs (protocol/port/source: a CIDR or a group id); sets
# missing_rules to the RULEs it lacks.
keep_only_rules() {
  local group="$1" rule_id protocol from_port to_port source rule present=""
  shift
  while IFS=$'\t' read -r rule_id protocol from_port to_port source; do
    [ -n "$rule_id" ] || continue
    rule="$protocol/$from_port/$source"
    if [ "$from_port" = "$to_port" ] && has_word "$*" "$rule"; then
      present="$present $rule"
    else
      aws ec2 revoke-security-group-ingress --region "$REGION" --group-id "$group" \
        --security-group-rule-ids "$rule_id" >/dev/null
      echo "revoked: inbound rule $protocol $from_port-$to_port from $source (keyless.json does not ask for it)"
    fi
  done <<<"$(aws ec2 describe-security-group-rules --region "$REGION" --filters "Name=group-id,Values=$group" \
    --query 'SecurityGroupRules[?!IsEgress].[SecurityGroupRuleId,IpProtocol,FromPort,ToPort,CidrIpv4||CidrIpv6||ReferencedGroupInfo.GroupId]' \
    --output text)"
  missing_rules=""
  for rule in "$@"; do
    has_word "$present" "$rule" || missing_rules="$missing_rules $rule"
  done
}

if [ "$lb_sg_id" = None ]; then
  lb_sg_id="$(aws ec2 create-security-group --region "$REGION" --group-name "$LB_SECURITY_GROUP_NAME" \
    --description "$LB_SECURITY_GROUP_DESCRIPTION" --vpc-id "$vpc_id" \
    --tag-specifications "$LB_SECURITY_GROUP_TAGS" --query GroupId --output text)"
  echo "created: security group $LB_SECURITY_GROUP_NAME ($lb_sg_id)"
else
  echo "exists: security group $LB_SECURITY_GROUP_NAME ($lb_sg_id)"
fi
"#;

/// The load balancer's group: exactly the plan's rules (`LB_INGRESS`), each
/// `tcp/PORT/RANGE`, IPv4 or IPv6.
pub(super) const LB_RULES: &str = r#"keep_only_rules "$lb_sg_id" "${LB_INGRESS[@]}"
for rule in $missing_rules; do
  IFS=/ read -r protocol port range <<<"$rule"
  if [[ "$range" == *:* ]]; then
    aws ec2 authorize-security-group-ingress --region "$REGION" --group-id "$lb_sg_id" \
      --ip-permissions "IpProtocol=$protocol,FromPort=$port,ToPort=$port,Ipv6Ranges=[{CidrIpv6=$range}]" >/dev/null
  else
    aws ec2 authorize-security-group-ingress --region "$REGION" --group-id "$lb_sg_id" \
      --protocol "$protocol" --port "$port" --cidr "$range" >/dev/null
  fi
done
echo "applied: $LB_SECURITY_GROUP_NAME takes$LB_PORTS_TEXT from anywhere"
"#;

/// The service's group, reachable only from the load balancer's.
pub(super) const SERVICE_RULES: &str = r#"if [ "$sg_id" = None ]; then
  sg_id="$(aws ec2 create-security-group --region "$REGION" --group-name "$SECURITY_GROUP_NAME" \
    --description "$SECURITY_GROUP_DESCRIPTION" --vpc-id "$vpc_id" \
    --tag-specifications "$SECURITY_GROUP_TAGS" --query GroupId --output text)"
  echo "created: security group $SECURITY_GROUP_NAME ($sg_id)"
else
  echo "exists: security group $SECURITY_GROUP_NAME ($sg_id)"
fi
# Only the load balancer reaches the tasks: any other rule, such as the
# public one of an earlier public-IP setup, is revoked.
keep_only_rules "$sg_id" "tcp/$CONTAINER_PORT/$lb_sg_id"
if has_word "$missing_rules" "tcp/$CONTAINER_PORT/$lb_sg_id"; then
  aws ec2 authorize-security-group-ingress --region "$REGION" --group-id "$sg_id" \
    --protocol tcp --port "$CONTAINER_PORT" --source-group "$lb_sg_id" >/dev/null
fi
echo "applied: $SECURITY_GROUP_NAME takes tcp/$CONTAINER_PORT from $LB_SECURITY_GROUP_NAME only"
SECURITY_GROUPS=("$sg_id")
"#;

/// The load balancer and its target group.
pub(super) const LOAD_BALANCER: &str = r#"step "8a. Load balancer"
if [ "$lb_arn" = None ]; then
  lb_arn="$(aws elbv2 create-load-balancer --region "$REGION" --name "$LOAD_BALANCER" --type application \
    --scheme internet-facing --subnets "${LB_SUBNETS[@]}" --security-groups "$lb_sg_id" \
    --tags "${TAGS[@]}" --query 'LoadBalancers[0].LoadBalancerArn' --output text)"
  echo "created: load balancer $LOAD_BALANCER"
else
  aws elbv2 set-security-groups --region "$REGION" --load-balancer-arn "$lb_arn" \
    --security-groups "$lb_sg_id" >/dev/null
  echo "exists: load balancer $LOAD_BALANCER (its security group: $lb_sg_id)"
fi
echo "waiting until it is active (a new load balancer takes a few minutes)"
aws elbv2 wait load-balancer-available --region "$REGION" --load-balancer-arns "$lb_arn"
IFS=$'\t' read -r lb_dns lb_zone <<<"$(aws elbv2 describe-load-balancers --region "$REGION" \
  --load-balancer-arns "$lb_arn" --query 'LoadBalancers[0].[DNSName,CanonicalHostedZoneId]' --output text)"
echo "active: $lb_dns (hosted zone $lb_zone)"

step "8b. Target group"
if [ "$tg_arn" = None ]; then
  tg_arn="$(aws elbv2 create-target-group --region "$REGION" --name "$LOAD_BALANCER" --protocol HTTP \
    --port "$CONTAINER_PORT" --vpc-id "$vpc_id" --target-type ip "${HEALTH_CHECK[@]}" \
    --tags "${TAGS[@]}" --query 'TargetGroups[0].TargetGroupArn' --output text)"
  echo "created: target group $LOAD_BALANCER"
else
  aws elbv2 modify-target-group --region "$REGION" --target-group-arn "$tg_arn" "${HEALTH_CHECK[@]}" >/dev/null
  echo "exists: target group $LOAD_BALANCER (health check re-applied)"
fi
aws elbv2 modify-target-group-attributes --region "$REGION" --target-group-arn "$tg_arn" \
  --attributes "$DEREGISTRATION_DELAY" >/dev/null
echo "applied: health check ${HEALTH_CHECK[*]}; deregistration delay $DEREGISTRATION_DELAY"
"#;

/// `route53_zone`: the public Route 53 zone that serves `$DOMAIN_NAME`, if any.
/// The parentheses in `!(Config.PrivateZone)` matter: JMESPath reads
/// `!Config.PrivateZone` as `(!Config).PrivateZone`, always null, so no zone
/// would ever be found.
pub(super) const ROUTE53_ZONE: &str = r#"
# route53_zone: the id of this account's public Route 53 zone that holds
# $DOMAIN_NAME (the longest match), or None.
route53_zone() {
  local name="$DOMAIN_NAME" zone
  while [[ "$name" == *.* ]]; do
    zone="$(aws route53 list-hosted-zones-by-name --dns-name "$name" --max-items 1 \
      --query "HostedZones[?Name=='$name.' && !(Config.PrivateZone)].Id | [0]" --output text 2>/dev/null || echo None)"
    if [ -n "$zone" ] && [ "$zone" != None ]; then
      echo "${zone##*/}"
      return 0
    fi
    name="${name#*.}"
  done
  echo None
}
"#;

/// The requested certificate: requested once, reused after; setup stops here,
/// successfully, while it waits for its DNS validation.
pub(super) const REQUESTED_CERTIFICATE: &str = r#"
step "8c. Certificate for $DOMAIN_NAME"
find_certificate
if [ "$certificate_arn" = None ]; then
  certificate_arn="$(aws acm request-certificate --region "$REGION" --domain-name "$DOMAIN_NAME" \
    --validation-method DNS --tags "${TAGS[@]}" --query CertificateArn --output text)"
  echo "requested: $certificate_arn"
else
  echo "exists: $certificate_arn"
fi
# ACM shows the validation record a few seconds after the request.
attempt=0
while :; do
  IFS=$'\t' read -r certificate_status record_name record_value <<<"$(aws acm describe-certificate --region "$REGION" \
    --certificate-arn "$certificate_arn" \
    --query 'Certificate.[Status,DomainValidationOptions[0].ResourceRecord.Name,DomainValidationOptions[0].ResourceRecord.Value]' \
    --output text)"
  if [ "$certificate_status" != PENDING_VALIDATION ] || [ "$record_name" != None ]; then break; fi
  attempt=$((attempt + 1))
  [ "$attempt" -lt 12 ] || fail "ACM shows no validation record for $certificate_arn after a minute; run this script again"
  sleep 5
done
zone="$(route53_zone)"
case "$certificate_status" in
  ISSUED) echo "issued: the certificate for $DOMAIN_NAME" ;;
  PENDING_VALIDATION)
    echo
    echo "The certificate for $DOMAIN_NAME waits for its DNS validation. Add this record"
    echo "where the DNS of $DOMAIN_NAME is served (keep it: ACM renews with it):"
    echo "  name:  $record_name"
    echo "  type:  CNAME"
    echo "  value: $record_value"
    if [ "$zone" != None ]; then
      echo "The zone is in this account's Route 53 ($zone); this adds it:"
      echo "  aws route53 change-resource-record-sets --hosted-zone-id $zone --change-batch '{\"Changes\":[{\"Action\":\"UPSERT\",\"ResourceRecordSet\":{\"Name\":\"$record_name\",\"Type\":\"CNAME\",\"TTL\":300,\"ResourceRecords\":[{\"Value\":\"$record_value\"}]}}]}'"
    fi
    echo "ACM checks it within minutes of it being visible. Then run this script again:"
    echo "  bash infra/setup.sh"
    echo "Done so far: everything but the listeners, the service and what follows them;"
    echo "the next run goes on from here. Until then a push cannot deploy (no service yet)."
    exit 0
    ;;
  *) fail "the certificate $certificate_arn is $certificate_status: delete it (aws acm delete-certificate --region $REGION --certificate-arn $certificate_arn) and run this script again to request a new one" ;;
esac
"#;

/// The listeners, HTTPS: 443 forwards, 80 redirects to it.
pub(super) const LISTENERS_HTTPS: &str = r#"
step "8d. Listeners""#;

/// The load balancer's listeners by port (both modes).
pub(super) const LISTENER_LOOKUP: &str = r#"listeners="$(aws elbv2 describe-listeners --region "$REGION" --load-balancer-arn "$lb_arn" \
  --query 'Listeners[].[Port,ListenerArn]' --output text)"
listener_on() { awk -F '\t' -v port="$1" '$1 == port { print $2 }' <<<"$listeners"; }
https_listener="$(listener_on 443)"
"#;

/// HTTPS:443, created or re-applied.
pub(super) const HTTPS_LISTENER: &str = r#"if [ -z "$https_listener" ]; then
  aws elbv2 create-listener --region "$REGION" --load-balancer-arn "$lb_arn" --protocol HTTPS --port 443 \
    --certificates "CertificateArn=$certificate_arn" --ssl-policy "$SSL_POLICY" \
    --default-actions "Type=forward,TargetGroupArn=$tg_arn" --tags "${TAGS[@]}" >/dev/null
  echo "created: listener HTTPS:443 ($SSL_POLICY) to $LOAD_BALANCER"
else
  aws elbv2 modify-listener --region "$REGION" --listener-arn "$https_listener" --protocol HTTPS --port 443 \
    --certificates "CertificateArn=$certificate_arn" --ssl-policy "$SSL_POLICY" \
    --default-actions "Type=forward,TargetGroupArn=$tg_arn" >/dev/null
  echo "exists: listener HTTPS:443 (certificate, TLS policy and target re-applied)"
fi
http_action='Type=redirect,RedirectConfig={Protocol=HTTPS,Port=443,StatusCode=HTTP_301}'
"#;

/// The listener, HTTP only: 80 forwards; a 443 listener of an earlier HTTPS setup goes.
pub(super) const LISTENERS_HTTP: &str = r#"
step "8d. Listener""#;

/// Without a certificate, a 443 listener of an earlier HTTPS setup goes.
pub(super) const NO_HTTPS_LISTENER: &str = r#"if [ -n "$https_listener" ]; then
  aws elbv2 delete-listener --region "$REGION" --listener-arn "$https_listener"
  echo "deleted: listener HTTPS:443 (keyless.json has no domain or certificate any more)"
fi
http_action="Type=forward,TargetGroupArn=$tg_arn"
"#;

/// Port 80, in both modes (`http_action` redirects or forwards).
pub(super) const HTTP_LISTENER: &str = r#"http_listener="$(listener_on 80)"
if [ -z "$http_listener" ]; then
  aws elbv2 create-listener --region "$REGION" --load-balancer-arn "$lb_arn" --protocol HTTP --port 80 \
    --default-actions "$http_action" --tags "${TAGS[@]}" >/dev/null
  echo "created: listener HTTP:80 ($http_action)"
else
  aws elbv2 modify-listener --region "$REGION" --listener-arn "$http_listener" --protocol HTTP --port 80 \
    --default-actions "$http_action" >/dev/null
  echo "exists: listener HTTP:80 ($http_action re-applied)"
fi
load_balancers="targetGroupArn=$tg_arn,containerName=$CONTAINER_NAME,containerPort=$CONTAINER_PORT"
if [ "$(service_status)" = ACTIVE ]; then
  attached="$(aws ecs describe-services --region "$REGION" --cluster "$CLUSTER" --services "$SERVICE" \
    --query 'services[0].loadBalancers[0].targetGroupArn' --output text)"
  if [ "$attached" != "$tg_arn" ]; then
    # Into the load balancer's zones too (its network is otherwise left alone):
    # tasks elsewhere would never receive a request nor become healthy.
    aws ecs update-service --region "$REGION" --cluster "$CLUSTER" --service "$SERVICE" \
      --load-balancers "$load_balancers" --health-check-grace-period-seconds "$HEALTH_CHECK_GRACE" \
      --network-configuration "$network_configuration" >/dev/null
    echo "moved: service $SERVICE behind the load balancer, in its zones (this starts a new deployment of its revision)"
  fi
fi

"#;

/// The `create-service` arguments that put a new service behind the load balancer.
pub(super) const SERVICE_LOAD_BALANCERS: &str = r#"    --load-balancers "$load_balancers" --health-check-grace-period-seconds "$HEALTH_CHECK_GRACE" \"#;

/// Autoscaling: the scalable target and the target-tracking policy. The
/// scalable target has no tags: it is the service's own setting, found by the
/// service's id and removed with it.
pub(super) const AUTOSCALING: &str = r#"# The minimum bounds scale-in only: with 0 tasks (before the first deploy)
# nothing starts; the first deploy starts MIN_COUNT (see the workflow).
aws application-autoscaling register-scalable-target --region "$REGION" --service-namespace ecs \
  --scalable-dimension ecs:service:DesiredCount --resource-id "$SCALABLE_RESOURCE_ID" \
  --min-capacity "$MIN_COUNT" --max-capacity "$MAX_COUNT" >/dev/null
aws application-autoscaling put-scaling-policy --region "$REGION" --service-namespace ecs \
  --scalable-dimension ecs:service:DesiredCount --resource-id "$SCALABLE_RESOURCE_ID" \
  --policy-name "$SCALING_POLICY" --policy-type TargetTrackingScaling \
  --target-tracking-scaling-policy-configuration "$SCALING_POLICY_CONFIGURATION" >/dev/null
echo "applied: $MIN_COUNT to $MAX_COUNT tasks, keeping their average CPU near $CPU_TARGET%"
"#;

/// Where the app answers, after setup's last step.
pub(super) const URL_REQUESTED: &str = r#"zone="$(route53_zone)"
echo
echo "The app answers on https://$DOMAIN_NAME once its name points at the load balancer:"
if [ "$zone" != None ]; then
  echo "the zone is in this account's Route 53 ($zone); this adds an alias record:"
  echo "  aws route53 change-resource-record-sets --hosted-zone-id $zone --change-batch '{\"Changes\":[{\"Action\":\"UPSERT\",\"ResourceRecordSet\":{\"Name\":\"$DOMAIN_NAME\",\"Type\":\"A\",\"AliasTarget\":{\"HostedZoneId\":\"$lb_zone\",\"DNSName\":\"$lb_dns\",\"EvaluateTargetHealth\":false}}}]}'"
else
  echo "  $DOMAIN_NAME CNAME $lb_dns"
  echo "(at a zone's apex, where a CNAME is not allowed, use your DNS provider's ALIAS or ANAME)"
fi
"#;

/// Where the app answers with an existing certificate.
pub(super) const URL_EXISTING: &str = r#"echo
echo "The app answers on https://$certificate_domain once that name points at the load balancer:"
echo "  $certificate_domain CNAME $lb_dns"
echo "(a wildcard certificate: use the host you choose under it)"
"#;

/// Where the app answers without a certificate.
pub(super) const URL_HTTP: &str = r#"echo
echo "The app answers on http://$lb_dns (plain HTTP: give a domain_name in keyless.json for HTTPS)"
"#;

/// Teardown's lookups of the load balancer's resources.
pub(super) const TEARDOWN_LOOKUPS: &str = r#"lb_ours=false
IFS=$'\t' read -r lb_arn _ <<<"$(load_balancer_info)"
if [ "$lb_arn" != None ] && sort_out "load balancer $LOAD_BALANCER" "$(elb_tags "$lb_arn")" "and its listeners"; then
  lb_ours=true
fi
tg_ours=false
IFS=$'\t' read -r tg_arn _ <<<"$(target_group_info)"
if [ "$tg_arn" != None ] && sort_out "target group $LOAD_BALANCER" "$(elb_tags "$tg_arn")"; then
  tg_ours=true
fi
lb_sg_ours=false
lb_sg_id=None
if [ -n "$vpc_id" ] && [ "$vpc_id" != "None" ]; then find_lb_security_group; fi
if [ "$lb_sg_id" != None ] && sort_out "security group $LB_SECURITY_GROUP_NAME ($lb_sg_id)" "$lb_sg_found"; then
  lb_sg_ours=true
fi
"#;

/// Teardown's lookup of the certificate setup requested.
pub(super) const TEARDOWN_CERTIFICATE_LOOKUP: &str = r#"find_certificate
certificate_ours=false
if [ "$certificate_arn" != None ]; then
  certificate_ours=true
  doomed+=("the certificate for $DOMAIN_NAME ($certificate_arn)")
  echo "to delete: the certificate for $DOMAIN_NAME"
fi
"#;

/// Teardown: the scalable target goes before the service.
pub(super) const TEARDOWN_AUTOSCALING: &str = r#"
step "1a. Autoscaling"
if [ "$service_ours" = true ] && [ -n "$(aws application-autoscaling describe-scalable-targets --region "$REGION" \
  --service-namespace ecs --resource-ids "$SCALABLE_RESOURCE_ID" --query 'ScalableTargets[].ResourceId' --output text)" ]; then
  aws application-autoscaling deregister-scalable-target --region "$REGION" --service-namespace ecs \
    --scalable-dimension ecs:service:DesiredCount --resource-id "$SCALABLE_RESOURCE_ID"
  echo "deregistered: autoscaling of $SERVICE (and its policy)"
fi
"#;

/// Teardown: the load balancer (with its listeners), then the target group.
pub(super) const TEARDOWN_LOAD_BALANCER: &str = r#"
step "4a. Load balancer"
if [ "$lb_ours" = true ]; then
  aws elbv2 delete-load-balancer --region "$REGION" --load-balancer-arn "$lb_arn"
  echo "deleting: load balancer $LOAD_BALANCER and its listeners; waiting until it is gone"
  aws elbv2 wait load-balancers-deleted --region "$REGION" --load-balancer-arns "$lb_arn"
  echo "deleted: load balancer $LOAD_BALANCER"
fi

step "4b. Target group"
if [ "$tg_ours" = true ]; then
  aws elbv2 delete-target-group --region "$REGION" --target-group-arn "$tg_arn"
  echo "deleted: target group $LOAD_BALANCER"
fi
"#;

/// Teardown: the certificate setup requested, once no listener uses it.
pub(super) const TEARDOWN_CERTIFICATE: &str = r#"
step "4c. Certificate"
if [ "$certificate_ours" = true ]; then
  # ACM takes a moment to see that the deleted listener no longer uses it.
  attempt=0
  until aws acm delete-certificate --region "$REGION" --certificate-arn "$certificate_arn" 2>/dev/null; do
    attempt=$((attempt + 1))
    [ "$attempt" -lt 30 ] || fail "certificate $certificate_arn is still in use after 5 minutes; run this script again later"
    sleep 10
  done
  echo "deleted: the certificate for $DOMAIN_NAME"
fi
"#;

/// Teardown: the load balancer's security group, after the service's (whose
/// rule names it) and once the load balancer's network interfaces are gone.
pub(super) const TEARDOWN_LB_SECURITY_GROUP: &str = r#"if [ "$lb_sg_ours" = true ]; then
  attempt=0
  until aws ec2 delete-security-group --region "$REGION" --group-id "$lb_sg_id" 2>/dev/null; do
    attempt=$((attempt + 1))
    [ "$attempt" -lt 30 ] || fail "security group $lb_sg_id is still in use after 5 minutes; run this script again later"
    sleep 10
  done
  echo "deleted: security group $LB_SECURITY_GROUP_NAME ($lb_sg_id)"
fi
"#;
