//! `infra/setup.sh`: looks up every name it will use, refuses to touch what
//! Keyless did not create for this app (unless `--adopt`), then creates what is
//! missing and brings what it owns to exactly what the config says.

use super::front_door;
use super::{
    common_inputs, compact_json, Script, CHECKS, FIND_SECURITY_GROUP, FUNCTIONS, PRELUDE,
    VPC_DEFAULT, VPC_FROM_SUBNETS,
};
use crate::bundle::{
    GENERATED_BY, PERMISSIONS_POLICY_PATH, TASK_DEFINITION_PATH, TRUST_POLICY_PATH,
};
use crate::config::{LoadBalancer, Tls, ValidConfig};
use crate::iam::PolicyDocument;
use crate::names::{Names, SECRETS_POLICY_NAME};
use crate::ownership;
use crate::plan::{GroupPurpose, Plan, KEEP_IMAGES};

/// The header: what the script does, in order, and the ownership rule.
fn header(config: &ValidConfig, names: &Names) -> Vec<String> {
    let mut header = vec![
        format!(
            "infra/setup.sh: creates what the deploy workflow of {} needs in AWS account {} ({}).",
            config.repository(),
            names.account_id,
            names.region
        ),
        format!("{GENERATED_BY}; regenerate rather than edit."),
        String::new(),
        "Run it once, from anywhere, with administrator credentials for that account:".into(),
        "  bash infra/setup.sh [--adopt]".into(),
        format!(
            "It reads {TRUST_POLICY_PATH}, {PERMISSIONS_POLICY_PATH} and {TASK_DEFINITION_PATH}"
        ),
        "of the same checkout. AWS CLI v1 or v2; every regional call names its region.".into(),
        String::new(),
        format!(
            "Ownership: everything it creates is tagged managed-by=keyless and keyless-app={}.",
            config.app_name
        ),
        "Before changing anything it looks up every name it uses; if one exists without".into(),
        "those tags (made by hand, by another tool, or for another app), it changes nothing,"
            .into(),
        "lists each with what it would do to it, and exits 1. Choose another app name, or".into(),
        "rerun with --adopt to take those resources over on purpose (they are then tagged,".into(),
        "and infra/teardown.sh will delete them too).".into(),
        "Running it again is safe: it creates only what is missing and brings what it owns".into(),
        "to exactly what keyless.json says (policies re-applied, stale inbound rules revoked)."
            .into(),
        String::new(),
        "What it creates, in this order:".into(),
        "  1. the GitHub OIDC provider of the account (kept if it exists; no thumbprint);".into(),
        format!(
            "  2. the deploy role {} with its trust and permissions policies;",
            names.deploy_role
        ),
        format!(
            "  3. the task execution role {} and the task role {};",
            names.execution_role, names.task_role
        ),
        format!(
            "  4. the ECR repository {} (immutable tags, scan on push, untagged images expire);",
            names.ecr_repository
        ),
        format!(
            "  5. the log group {} ({} days);",
            names.log_group, config.log_retention_days
        ),
        format!("  6. the cluster {};", names.cluster),
    ];
    if let Some(lb) = config.ingress.load_balancer() {
        header.extend(load_balancer_header(config, names, lb));
    } else {
        header.push(match (config.subnets.is_empty(), config.security_groups.is_empty()) {
        (true, true) => format!(
            "  7. network: the default VPC's subnets, and a security group {} opening only port {};",
            names.security_group, config.container_port
        ),
        (true, false) => "  7. network: the default VPC's subnets and the security groups of keyless.json;".into(),
        (false, true) => format!(
            "  7. network: the subnets of keyless.json, and a security group {} opening only port {};",
            names.security_group, config.container_port
        ),
        (false, false) => "  7. network: the subnets and security groups of keyless.json;".into(),
        });
        header.extend([
            "  8. revision 1 of the task definition, whose image (tag awaiting-first-deploy) does"
                .to_string(),
            "     not exist yet;".into(),
            format!(
                "  9. the service {}, with the circuit breaker and rollback on, and 0 tasks.",
                names.service
            ),
        ]);
    }
    if let Some(scaling) = &config.autoscaling {
        header.push(format!(
            " 10. autoscaling from {} to {} tasks, keeping their average CPU near {}%.",
            scaling.min_count, scaling.max_count, scaling.cpu_target_percent
        ));
    }
    header.extend([
        String::new(),
        "Why 0 tasks: no image exists before the first push, so no task could start.".into(),
        format!(
            "Then push to {}: the workflow builds and pushes the image, renders it into the",
            config.branch
        ),
        match &config.autoscaling {
            None => format!(
                "task definition and deploys it with {} task(s), waiting until they are stable.",
                config.desired_count
            ),
            Some(scaling) => format!(
                "task definition and deploys it with {} task(s) (later deploys keep autoscaling's count).",
                scaling.min_count
            ),
        },
        "No manual step in between. After that, the task definition and the desired count".into(),
        "belong to the workflow: running this script again leaves both alone. It also leaves"
            .into(),
        "an existing service's network and capacity settings alone: to change subnets,".into(),
        "security groups, the public IP or Spot later, run infra/teardown.sh first, or update"
            .into(),
        "the service yourself (aws ecs update-service --network-configuration ...).".into(),
    ]);
    header
}

/// Steps 7 to 9 of the header with a load balancer.
fn load_balancer_header(config: &ValidConfig, names: &Names, lb: &LoadBalancer) -> Vec<String> {
    let https = lb.tls.is_https();
    let mut lines = vec![
        format!(
            "  7. network: {}; security groups",
            if config.subnets.is_empty() {
                "two of the default VPC's subnets, in two zones (the load balancer's)"
            } else {
                "the subnets of keyless.json"
            }
        ),
        format!(
            "     {} (tcp/80{} from anywhere) and {} (tcp/{} from",
            names.load_balancer_security_group,
            if https { " and 443" } else { "" },
            names.security_group,
            config.container_port
        ),
        "     the load balancer's group only);".into(),
        "  8. revision 1 of the task definition, whose image (tag awaiting-first-deploy) does"
            .into(),
        "     not exist yet; then an internet-facing Application Load Balancer and its".into(),
        format!(
            "     target group {} (health check {}),",
            names.load_balancer, lb.health_check_path
        ),
    ];
    lines.extend(match &lb.tls {
        Tls::RequestFor(domain) => vec![
            format!("     an ACM certificate for {domain} (DNS validation: while it waits,"),
            "     setup prints the record to add, stops here and exits 0; run it again),".into(),
            "     HTTPS:443 to the tasks, and HTTP:80 redirecting to HTTPS;".into(),
        ],
        Tls::Existing(_) => vec![
            "     HTTPS:443 to the tasks with the certificate of keyless.json, and HTTP:80".into(),
            "     redirecting to HTTPS;".into(),
        ],
        Tls::None => vec!["     and HTTP:80 to the tasks (no certificate: plain HTTP);".into()],
    });
    lines.push(format!(
        "  9. the service {} behind it, with the circuit breaker and rollback on, and 0 tasks",
        names.service
    ));
    lines.push(
        "     (an existing service of an earlier public-IP setup is moved behind it in place)."
            .into(),
    );
    lines.push("At the end it prints the URL the app answers on.".into());
    lines
}

/// The setup-only inputs: documents, settings and tags in their API shapes,
/// each read from the plan.
fn setup_inputs(s: &mut Script, config: &ValidConfig, plan: &Plan) {
    let names = &plan.names;
    s.var("OIDC_URL", plan.oidc_provider.url);
    s.var("AUDIENCE", plan.oidc_provider.audience);
    let (deploy_policy_name, _) = &plan.deploy_role.inline_policies[0];
    s.var("DEPLOY_POLICY_NAME", deploy_policy_name);
    s.var("SECRETS_POLICY_NAME", SECRETS_POLICY_NAME);
    s.var(
        "EXECUTION_MANAGED_POLICY_ARN",
        plan.execution_role.managed_policies[0],
    );
    for (name, role) in [
        ("DEPLOY_ROLE_DESCRIPTION", &plan.deploy_role),
        ("EXECUTION_ROLE_DESCRIPTION", &plan.execution_role),
        ("TASK_ROLE_DESCRIPTION", &plan.task_role),
    ] {
        s.var(name, &role.description);
    }
    s.var("TAG_MUTABILITY", plan.repository.tag_mutability);
    s.var("SCAN_ON_PUSH", &plan.repository.scan_on_push.to_string());
    s.var(
        "LOG_RETENTION_DAYS",
        &plan.log_group.retention_days.to_string(),
    );
    s.var(
        "ASSIGN_PUBLIC_IP",
        if plan.network.assign_public_ip {
            "ENABLED"
        } else {
            "DISABLED"
        },
    );
    if let Some(group) = plan.security_group(GroupPurpose::Service) {
        s.var("CONTAINER_PORT", &group.ingress[0].port.to_string());
        s.var("SECURITY_GROUP_DESCRIPTION", &group.description);
        s.var(
            "SECURITY_GROUP_TAGS",
            &ownership::tag_specification("security-group", &config.app_name),
        );
    }
    s.var(
        "EXECUTION_TRUST_POLICY",
        &compact_json(&plan.execution_role.trust),
    );
    s.var("TASK_TRUST_POLICY", &compact_json(&plan.task_role.trust));
    if let Some((_, policy)) = secrets_policy(plan) {
        s.var("SECRETS_POLICY", &compact_json(policy));
    }
    s.var(
        "ECR_LIFECYCLE_POLICY",
        &compact_json(&plan.repository.lifecycle_policy),
    );
    s.var("KEEP_IMAGES", &KEEP_IMAGES.to_string());
    s.var(
        "INITIAL_DESIRED_COUNT",
        &plan.service.initial_desired_count.to_string(),
    );
    s.var(
        "DEPLOYMENT_CONFIGURATION",
        &compact_json(&plan.service.deployment),
    );
    s.var("DEPLOY_ROLE_ARN", &names.deploy_role_arn);
    s.var("CLUSTER_ARN", &names.cluster_arn);
    s.var("SERVICE_ARN", &names.service_arn);
    s.var("BRANCH", &config.branch);
    s.array("SUBJECTS", &names.subjects);
    s.array("TAGS", &ownership::shorthand_list(&config.app_name, false));
    s.array(
        "ECS_TAGS",
        &ownership::shorthand_list(&config.app_name, true),
    );
    s.var("LOG_TAGS", &ownership::shorthand_map(&config.app_name));
    s.var(
        "PROVIDER_TAG",
        &format!(
            "Key={},Value={}",
            ownership::MANAGED_BY_KEY,
            ownership::MANAGED_BY_VALUE
        ),
    );
}

/// The execution role's secrets policy, when the config has secrets.
fn secrets_policy(plan: &Plan) -> Option<&(&'static str, PolicyDocument)> {
    plan.execution_role
        .inline_policies
        .iter()
        .find(|(name, _)| *name == SECRETS_POLICY_NAME)
}

const ARGUMENTS: &str = r#"usage() { echo "usage: bash infra/setup.sh [--adopt]"; }
adopt=false
for arg in "$@"; do
  case "$arg" in
    --adopt) adopt=true ;;
    -h | --help) usage; exit 0 ;;
    *) usage >&2; exit 2 ;;
  esac
done
"#;

const FILES: &str = r#"here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
readonly TRUST_POLICY_FILE="$here/trust-policy.json"
readonly PERMISSIONS_POLICY_FILE="$here/permissions-policy.json"
readonly TASK_DEFINITION_FILE="$here/../.aws/task-definition.json"
for file in "$TRUST_POLICY_FILE" "$PERMISSIONS_POLICY_FILE" "$TASK_DEFINITION_FILE"; do
  [ -f "$file" ] || fail "missing $file: keep the files Keyless generated together"
done
"#;

/// The read-only first pass: every name setup uses, looked up; what exists
/// without this app's marks is recorded with what setup would do to it.
const LOOKUPS: &str = r#"step "Looking up every name this script uses (nothing is changed before this passes)"
conflicts=()
adoptions=()
# conflict WHAT OWNER CHANGE ADOPTION: notes a resource that exists without this
# app's marks, what setup would do to it, and the command that tags it (--adopt).
conflict() {
  conflicts+=("$1 ($2): $3")
  adoptions+=("$4")
}

# check_role NAME CHANGE: notes the role if it exists without this app's marks.
check_role() {
  local found owner trusts
  found="$(role_info "$1")" || return 0
  owner="$(owner_of "$found")"
  [ "$owner" != ours ] || return 0
  IFS=$'\t' read -r _ _ trusts <<<"$found"
  conflict "role $1" "$owner; it trusts $trusts" "$2; teardown.sh would then delete it" "tag_role $1"
}
check_role "$DEPLOY_ROLE" "its trust policy would become $TRUST_POLICY_FILE and its only policy $DEPLOY_POLICY_NAME (every other policy removed)"
check_role "$EXECUTION_ROLE" "its trust policy would become ECS tasks only, with $EXECUTION_MANAGED_POLICY_ARN attached"
check_role "$TASK_ROLE" "its trust policy would become ECS tasks only"

repository_exists=false
if found="$(repository_info)"; then repository_exists=true; fi
if [ "$repository_exists" = true ] && [ "$(owner_of "$found")" != ours ]; then
  IFS=$'\t' read -r _ _ images untagged <<<"$found"
  expiring=$((untagged + (images > KEEP_IMAGES ? images - KEEP_IMAGES : 0)))
  [ "$expiring" -le "$images" ] || expiring="$images"
  conflict "ECR repository $ECR_REPOSITORY" "$(owner_of "$found"); $images images" \
    "its tags would become immutable (a tag can never be pushed again), scan on push on, and a lifecycle policy would expire up to $expiring of its $images images (untagged ones a day after push, all but the newest $KEEP_IMAGES); teardown.sh would then delete it with every image" \
    tag_repository
fi

log_group_exists=false
if found="$(log_group_info)"; then log_group_exists=true; fi
if [ "$log_group_exists" = true ] && [ "$(owner_of "$found")" != ours ]; then
  IFS=$'\t' read -r _ _ retention bytes <<<"$found"
  if [ "$retention" = None ]; then retention=forever; else retention="$retention days"; fi
  conflict "log group $LOG_GROUP" "$(owner_of "$found"); $bytes bytes stored, kept $retention" \
    "its retention would become $LOG_RETENTION_DAYS days (older logs deleted); teardown.sh would then delete it with every log" \
    tag_log_group
fi

found="$(cluster_info)"
IFS=$'\t' read -r _ _ cluster_status <<<"$found"
if [ "$cluster_status" = ACTIVE ] && [ "$(owner_of "$found")" != ours ]; then
  others="$(other_services | wc -l | tr -d ' ')"
  conflict "cluster $CLUSTER" "$(owner_of "$found"); $others other services in it" \
    "$CLUSTER_CHANGE; teardown.sh would delete it only once no other service is in it" \
    tag_cluster
fi

found="$(service_info)"
IFS=$'\t' read -r _ _ service_state _ <<<"$found"
if [ "$service_state" = ACTIVE ] && [ "$(owner_of "$found")" != ours ]; then
  conflict "service $SERVICE in cluster $CLUSTER" "$(owner_of "$found")" \
    "every push would deploy this app to it; teardown.sh would then delete it" \
    tag_service
fi

if found="$(revision_tags "$TASK_FAMILY")" && [ "$(owner_of "$found")" != ours ]; then
  revisions="$(family_revisions | wc -l | tr -d ' ')"
  conflict "task definition family $TASK_FAMILY" "$(owner_of "$found"); $revisions active revisions" \
    "the service would start from its latest revision (with 0 tasks) and every push would add one; teardown.sh would then deregister them all" \
    tag_task_definitions
fi
"#;

const CLUSTER_CHANGE_SPOT: &str = r#"readonly CLUSTER_CHANGE="the service $SERVICE would be added to it, and FARGATE_SPOT would become its default capacity provider (for its other services too)""#;
const CLUSTER_CHANGE: &str =
    r#"readonly CLUSTER_CHANGE="the service $SERVICE would be added to it""#;

/// The security group's lookup, when setup creates the group; the rule it
/// would have comes next ([`SERVICE_RULE_PUBLIC`] or [`SERVICE_RULE_BEHIND_LB`]).
const SECURITY_GROUP_LOOKUP: &str = r#"tag_security_group() { aws ec2 create-tags --region "$REGION" --resources "$sg_id" --tags "${TAGS[@]}"; }
if [ "$sg_id" != None ] && [ "$(owner_of "$sg_found")" != ours ]; then
  IFS=$'\t' read -r _ _ _ sg_rules <<<"$sg_found"
  conflict "security group $SECURITY_GROUP_NAME ($sg_id)" "$(owner_of "$sg_found"); $sg_rules inbound rules" \"#;
const SERVICE_RULE_PUBLIC: &str = r#"    "its inbound rules would become exactly tcp/$CONTAINER_PORT from anywhere; teardown.sh would then delete it" \"#;
const SERVICE_RULE_BEHIND_LB: &str = r#"    "its inbound rules would become exactly tcp/$CONTAINER_PORT from the load balancer's group; teardown.sh would then delete it" \"#;
const SECURITY_GROUP_LOOKUP_END: &str = r#"    tag_security_group
fi
"#;

/// Stops with every conflict, or tags them under `--adopt`.
const DECISION: &str = r#"
tag_role() { aws iam tag-role --role-name "$1" --tags "${TAGS[@]}"; }
tag_repository() {
  aws ecr tag-resource --region "$REGION" --resource-arn "$ECR_REPOSITORY_ARN" --tags "${TAGS[@]}" >/dev/null
}
tag_log_group() { aws logs tag-log-group --region "$REGION" --log-group-name "$LOG_GROUP" --tags "$LOG_TAGS"; }
tag_cluster() { aws ecs tag-resource --region "$REGION" --resource-arn "$CLUSTER_ARN" --tags "${ECS_TAGS[@]}" >/dev/null; }
tag_service() { aws ecs tag-resource --region "$REGION" --resource-arn "$SERVICE_ARN" --tags "${ECS_TAGS[@]}" >/dev/null; }
tag_task_definitions() {
  local arn
  for arn in $(family_revisions); do
    aws ecs tag-resource --region "$REGION" --resource-arn "$arn" --tags "${ECS_TAGS[@]}" >/dev/null
  done
}

if [ "${#conflicts[@]}" -eq 0 ]; then
  echo "no conflict: every name is free or already $APP_NAME's"
elif [ "$adopt" != true ]; then
  {
    echo "error: nothing was changed. In account $ACCOUNT_ID ($REGION), these exist and were not"
    echo "created by Keyless for the app $APP_NAME; next to each, what setup would do to it:"
    printf '  - %s\n' "${conflicts[@]}"
    echo "Two ways out:"
    echo "  1. choose another app name (app_name in keyless.json, or the App name field of the"
    echo "     page), regenerate, and run the new infra/setup.sh: nothing above is touched;"
    echo "  2. or take these over on purpose: bash infra/setup.sh --adopt"
    echo "     (it makes the changes above and tags them, so teardown.sh deletes them too)."
  } >&2
  exit 1
else
  echo "adopting, as --adopt asks:"
  printf '  - %s\n' "${conflicts[@]}"
  for adoption in "${adoptions[@]}"; do
    read -r -a command <<<"$adoption"
    "${command[@]}"
  done
  echo "tagged: managed-by=$MANAGED_BY $APP_TAG_KEY=$APP_NAME on each"
fi
"#;

const IDENTITY: &str = r#"
step "1. GitHub OIDC provider"
if aws iam get-open-id-connect-provider --open-id-connect-provider-arn "$OIDC_PROVIDER_ARN" >/dev/null 2>&1; then
  client_ids="$(aws iam get-open-id-connect-provider --open-id-connect-provider-arn "$OIDC_PROVIDER_ARN" \
    --query 'ClientIDList' --output text)"
  # Shared by every role of the account that trusts GitHub: only the audience is ever added.
  if has_word "$client_ids" "$AUDIENCE"; then
    echo "exists: $OIDC_PROVIDER_ARN"
  else
    aws iam add-client-id-to-open-id-connect-provider --open-id-connect-provider-arn "$OIDC_PROVIDER_ARN" \
      --client-id "$AUDIENCE"
    echo "exists: $OIDC_PROVIDER_ARN (audience $AUDIENCE added)"
  fi
else
  # No thumbprint: AWS no longer uses thumbprints for GitHub's issuer.
  aws iam create-open-id-connect-provider --url "$OIDC_URL" --client-id-list "$AUDIENCE" \
    --tags "$PROVIDER_TAG" >/dev/null
  echo "created: $OIDC_PROVIDER_ARN"
fi

# ensure_role NAME TRUST_POLICY DESCRIPTION: creates the role, or re-applies its trust policy.
ensure_role() {
  if aws iam get-role --role-name "$1" >/dev/null 2>&1; then
    aws iam update-assume-role-policy --role-name "$1" --policy-document "$2"
    echo "exists: role $1 (trust policy re-applied)"
  else
    aws iam create-role --role-name "$1" --assume-role-policy-document "$2" \
      --description "$3" --tags "${TAGS[@]}" >/dev/null
    echo "created: role $1"
  fi
}

step "2. Deploy role (assumed by the workflow)"
ensure_role "$DEPLOY_ROLE" "file://$TRUST_POLICY_FILE" "$DEPLOY_ROLE_DESCRIPTION"
aws iam put-role-policy --role-name "$DEPLOY_ROLE" --policy-name "$DEPLOY_POLICY_NAME" \
  --policy-document "file://$PERMISSIONS_POLICY_FILE"
echo "applied: policy $DEPLOY_POLICY_NAME"
# The deploy role has exactly that policy: anything else on it is removed.
for policy in $(aws iam list-role-policies --role-name "$DEPLOY_ROLE" --query 'PolicyNames[]' --output text); do
  if [ "$policy" != "$DEPLOY_POLICY_NAME" ]; then
    aws iam delete-role-policy --role-name "$DEPLOY_ROLE" --policy-name "$policy"
    echo "deleted: policy $policy (not part of the deploy role's permissions)"
  fi
done
for arn in $(aws iam list-attached-role-policies --role-name "$DEPLOY_ROLE" \
  --query 'AttachedPolicies[].PolicyArn' --output text); do
  aws iam detach-role-policy --role-name "$DEPLOY_ROLE" --policy-arn "$arn"
  echo "detached: $arn (not part of the deploy role's permissions)"
done

step "3. Task execution role and task role"
ensure_role "$EXECUTION_ROLE" "$EXECUTION_TRUST_POLICY" "$EXECUTION_ROLE_DESCRIPTION"
aws iam attach-role-policy --role-name "$EXECUTION_ROLE" --policy-arn "$EXECUTION_MANAGED_POLICY_ARN"
echo "attached: $EXECUTION_MANAGED_POLICY_ARN"
"#;

const SECRETS_APPLY: &str = r#"aws iam put-role-policy --role-name "$EXECUTION_ROLE" --policy-name "$SECRETS_POLICY_NAME" \
  --policy-document "$SECRETS_POLICY"
echo "applied: policy $SECRETS_POLICY_NAME (read exactly the container's secrets)"
"#;

const SECRETS_REMOVE: &str = r#"if aws iam get-role-policy --role-name "$EXECUTION_ROLE" --policy-name "$SECRETS_POLICY_NAME" >/dev/null 2>&1; then
  aws iam delete-role-policy --role-name "$EXECUTION_ROLE" --policy-name "$SECRETS_POLICY_NAME"
  echo "deleted: policy $SECRETS_POLICY_NAME (keyless.json has no secrets any more)"
fi
"#;

const STORAGE: &str = r#"ensure_role "$TASK_ROLE" "$TASK_TRUST_POLICY" "$TASK_ROLE_DESCRIPTION"

step "4. ECR repository"
if [ "$repository_exists" = true ]; then
  aws ecr put-image-tag-mutability --region "$REGION" --repository-name "$ECR_REPOSITORY" \
    --image-tag-mutability "$TAG_MUTABILITY" >/dev/null
  aws ecr put-image-scanning-configuration --region "$REGION" --repository-name "$ECR_REPOSITORY" \
    --image-scanning-configuration "scanOnPush=$SCAN_ON_PUSH" >/dev/null
  echo "exists: repository $ECR_REPOSITORY (tags immutable, scan on push)"
else
  aws ecr create-repository --region "$REGION" --repository-name "$ECR_REPOSITORY" \
    --image-tag-mutability "$TAG_MUTABILITY" --image-scanning-configuration "scanOnPush=$SCAN_ON_PUSH" \
    --tags "${TAGS[@]}" >/dev/null
  echo "created: repository $ECR_REPOSITORY"
fi
aws ecr put-lifecycle-policy --region "$REGION" --repository-name "$ECR_REPOSITORY" \
  --lifecycle-policy-text "$ECR_LIFECYCLE_POLICY" >/dev/null
echo "applied: lifecycle policy (untagged images expire after 1 day)"

step "5. Log group"
if [ "$log_group_exists" = true ]; then
  echo "exists: log group $LOG_GROUP"
else
  aws logs create-log-group --region "$REGION" --log-group-name "$LOG_GROUP" --tags "$LOG_TAGS"
  echo "created: log group $LOG_GROUP"
fi
aws logs put-retention-policy --region "$REGION" --log-group-name "$LOG_GROUP" \
  --retention-in-days "$LOG_RETENTION_DAYS"
echo "applied: retention $LOG_RETENTION_DAYS days"

step "6. Cluster"
if [ "$cluster_status" = "ACTIVE" ]; then
  echo "exists: cluster $CLUSTER"
else
  aws ecs create-cluster --region "$REGION" --cluster-name "$CLUSTER" --tags "${ECS_TAGS[@]}" >/dev/null
  echo "created: cluster $CLUSTER"
fi
"#;

const SPOT_CAPACITY: &str = r#"aws ecs put-cluster-capacity-providers --region "$REGION" --cluster "$CLUSTER" \
  --capacity-providers FARGATE FARGATE_SPOT \
  --default-capacity-provider-strategy capacityProvider=FARGATE_SPOT,weight=1 >/dev/null
echo "applied: capacity providers FARGATE and FARGATE_SPOT (Spot by default)"
"#;

/// Creates the app's security group (found by the lookups) and leaves it with
/// exactly one inbound rule.
const SECURITY_GROUP: &str = r#"if [ "$sg_id" = None ]; then
  sg_id="$(aws ec2 create-security-group --region "$REGION" --group-name "$SECURITY_GROUP_NAME" \
    --description "$SECURITY_GROUP_DESCRIPTION" --vpc-id "$vpc_id" \
    --tag-specifications "$SECURITY_GROUP_TAGS" --query GroupId --output text)"
  echo "created: security group $SECURITY_GROUP_NAME ($sg_id)"
else
  echo "exists: security group $SECURITY_GROUP_NAME ($sg_id)"
fi
# Exactly one inbound rule, the container port from anywhere (the tasks have
# public IPs and no load balancer): any other, such as an earlier port, is revoked.
has_rule=false
while IFS=$'\t' read -r rule_id protocol from_port to_port cidr; do
  [ -n "$rule_id" ] || continue
  if [ "$protocol/$from_port/$to_port/$cidr" = "tcp/$CONTAINER_PORT/$CONTAINER_PORT/0.0.0.0/0" ]; then
    has_rule=true
  else
    aws ec2 revoke-security-group-ingress --region "$REGION" --group-id "$sg_id" \
      --security-group-rule-ids "$rule_id" >/dev/null
    echo "revoked: inbound rule $protocol $from_port-$to_port from $cidr (keyless.json does not ask for it)"
  fi
done <<<"$(aws ec2 describe-security-group-rules --region "$REGION" --filters "Name=group-id,Values=$sg_id" \
  --query 'SecurityGroupRules[?!IsEgress].[SecurityGroupRuleId,IpProtocol,FromPort,ToPort,CidrIpv4]' --output text)"
if [ "$has_rule" = true ]; then
  echo "exists: inbound rule tcp/$CONTAINER_PORT"
else
  aws ec2 authorize-security-group-ingress --region "$REGION" --group-id "$sg_id" \
    --protocol tcp --port "$CONTAINER_PORT" --cidr 0.0.0.0/0 >/dev/null
  echo "created: inbound rule tcp/$CONTAINER_PORT from anywhere"
fi
SECURITY_GROUPS=("$sg_id")
"#;

/// The network configuration, then revision 1 of the task definition.
const TASK_DEFINITION: &str = r#"for id in "${SUBNETS[@]}" "${SECURITY_GROUPS[@]}"; do
  [[ "$id" =~ ^(subnet|sg)-[0-9a-f]+$ ]] || fail "unexpected subnet or security group id: $id"
done
# json_strings A B: "A","B" (the ids were just checked: no quotes inside).
json_strings() {
  local out="" item
  for item in "$@"; do out="${out:+$out,}\"$item\""; done
  printf '%s' "$out"
}
network_configuration="{\"awsvpcConfiguration\":{\"subnets\":[$(json_strings "${SUBNETS[@]}")],\"securityGroups\":[$(json_strings "${SECURITY_GROUPS[@]}")],\"assignPublicIp\":\"$ASSIGN_PUBLIC_IP\"}}"

step "8. Task definition"
if revision_tags "$TASK_FAMILY" >/dev/null; then
  echo "exists: family $TASK_FAMILY (the workflow registers each new revision)"
else
  aws ecs register-task-definition --region "$REGION" --cli-input-json "file://$TASK_DEFINITION_FILE" >/dev/null
  echo "registered: $TASK_FAMILY revision 1 (its image is pushed by the first deploy)"
fi

"#;

/// The service: created with 0 tasks, or left alone.
const SERVICE: &str = r#"step "9. Service"
status="$(service_status)"
if [ "$status" = "DRAINING" ]; then
  echo "an earlier $SERVICE is still draining; waiting"
  wait_until_service_gone
  status="INACTIVE"
fi
if [ "$status" = "ACTIVE" ]; then
  echo "exists: service $SERVICE (its task definition and task count belong to the workflow)"
else
  aws ecs create-service --region "$REGION" --cluster "$CLUSTER" --service-name "$SERVICE" \
    --task-definition "$TASK_FAMILY" --desired-count "$INITIAL_DESIRED_COUNT" \
"#;

const SERVICE_END: &str = r#"    --network-configuration "$network_configuration" \
    --deployment-configuration "$DEPLOYMENT_CONFIGURATION" \
    --tags "${ECS_TAGS[@]}" >/dev/null
  echo "created: service $SERVICE with 0 tasks; the first deploy starts them"
fi
"#;

/// The summary: the role, the subjects, what to do next.
const DONE: &str = r#"
step "Done"
echo "The workflow assumes $DEPLOY_ROLE_ARN"
echo "with a token whose sub is one of:"
printf '  %s\n' "${SUBJECTS[@]}"
echo "Commit the generated files and push to $BRANCH to deploy."
"#;

/// `infra/setup.sh`, rendered from the plan.
pub fn setup_script(config: &ValidConfig, plan: &Plan) -> String {
    let names = &plan.names;
    let creates_security_group = plan.security_group(GroupPurpose::Service).is_some();
    let lb = config.ingress.load_balancer();
    let tls = lb.map(|lb| &lb.tls);
    let spot = plan.cluster.spot_capacity.is_some();
    let mut s = Script::new(&header(config, names));
    s.blank();
    s.code(PRELUDE);
    s.blank();
    common_inputs(&mut s, plan, true);
    setup_inputs(&mut s, config, plan);
    front_door::setup_inputs(&mut s, plan);
    s.code(if spot {
        CLUSTER_CHANGE_SPOT
    } else {
        CLUSTER_CHANGE
    });
    s.blank();
    s.code(ARGUMENTS);
    s.code(FUNCTIONS);
    if lb.is_some() {
        s.code(front_door::FUNCTIONS);
    }
    if let Some(Tls::RequestFor(_)) = tls {
        s.code(front_door::FIND_CERTIFICATE);
        s.code(front_door::ROUTE53_ZONE);
    }
    s.blank();
    s.code(FILES);
    s.code(CHECKS);
    s.blank();
    s.code(r#"step "Network""#);
    match (plan.network.uses_default_vpc(), creates_security_group) {
        (true, _) => s.code(VPC_DEFAULT),
        // The security group Keyless creates must be in the subnets' VPC.
        (false, true) => s.code(VPC_FROM_SUBNETS),
        // Nothing to create: create-service itself checks the given ids.
        (false, false) => s.code(r#"echo "subnets: ${SUBNETS[*]}""#),
    }
    if lb.is_some() {
        s.code(front_door::LOAD_BALANCER_SUBNETS);
    }
    if creates_security_group {
        s.code(FIND_SECURITY_GROUP);
    }
    s.blank();
    s.code(LOOKUPS);
    if creates_security_group {
        s.code(SECURITY_GROUP_LOOKUP);
        s.code(if lb.is_some() {
            SERVICE_RULE_BEHIND_LB
        } else {
            SERVICE_RULE_PUBLIC
        });
        s.code(SECURITY_GROUP_LOOKUP_END);
    }
    if lb.is_some() {
        s.code(front_door::SETUP_LOOKUPS);
    }
    if let Some(Tls::Existing(_)) = tls {
        s.code(front_door::CHECK_EXISTING_CERTIFICATE);
    }
    s.code(DECISION);
    s.code(IDENTITY);
    s.code(if secrets_policy(plan).is_some() {
        SECRETS_APPLY
    } else {
        SECRETS_REMOVE
    });
    s.code(STORAGE);
    if spot {
        s.code(SPOT_CAPACITY);
    }
    s.blank();
    s.code(r#"step "7. Security groups""#);
    match (lb, creates_security_group) {
        (Some(_), _) => {
            s.code(front_door::SECURITY_GROUPS);
            s.code(front_door::LB_RULES);
            s.code(front_door::SERVICE_RULES);
        }
        (None, true) => s.code(SECURITY_GROUP),
        (None, false) => s.code(r#"echo "security groups: ${SECURITY_GROUPS[*]}""#),
    }
    s.code(TASK_DEFINITION);
    if let Some(lb) = lb {
        s.code(front_door::LOAD_BALANCER);
        match &lb.tls {
            Tls::RequestFor(_) => s.code(front_door::REQUESTED_CERTIFICATE),
            Tls::Existing(_) => s.code(r#"certificate_arn="$CERTIFICATE_ARN""#),
            Tls::None => {}
        }
        if lb.tls.is_https() {
            s.code(front_door::LISTENERS_HTTPS);
            s.code(front_door::LISTENER_LOOKUP);
            s.code(front_door::HTTPS_LISTENER);
        } else {
            s.code(front_door::LISTENERS_HTTP);
            s.code(front_door::LISTENER_LOOKUP);
            s.code(front_door::NO_HTTPS_LISTENER);
        }
        s.code(front_door::HTTP_LISTENER);
    }
    s.code(SERVICE);
    s.code(if spot {
        r#"    --capacity-provider-strategy capacityProvider=FARGATE_SPOT,weight=1 --platform-version LATEST \"#
    } else {
        r#"    --launch-type FARGATE --platform-version LATEST \"#
    });
    if lb.is_some() {
        s.code(front_door::SERVICE_LOAD_BALANCERS);
    }
    s.code(SERVICE_END);
    if config.autoscaling.is_some() {
        s.blank();
        s.code(r#"step "10. Autoscaling""#);
        s.code(front_door::AUTOSCALING);
    }
    s.code(DONE);
    match tls {
        Some(Tls::RequestFor(_)) => s.code(front_door::URL_REQUESTED),
        Some(Tls::Existing(_)) => s.code(front_door::URL_EXISTING),
        Some(Tls::None) => s.code(front_door::URL_HTTP),
        None => {}
    }
    s.finish()
}
