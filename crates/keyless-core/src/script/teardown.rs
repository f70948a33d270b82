//! `infra/teardown.sh`: deletes only what carries Keyless's marks for this app,
//! and lists, at the end, everything of the same names that it left alone.

use super::front_door;
use super::{common_inputs, Script, CHECKS, FIND_SECURITY_GROUP, FUNCTIONS, PRELUDE};
use crate::bundle::GENERATED_BY;
use crate::config::{Tls, ValidConfig};
use crate::plan::{GroupPurpose, Plan};

const ARGUMENTS: &str = r#"usage() { echo "usage: bash infra/teardown.sh [--yes] [--delete-oidc-provider]"; }
assume_yes=false
delete_oidc_provider=false
for arg in "$@"; do
  case "$arg" in
    --yes) assume_yes=true ;;
    --delete-oidc-provider) delete_oidc_provider=true ;;
    -h | --help) usage; exit 0 ;;
    *) usage >&2; exit 2 ;;
  esac
done
"#;

/// The read-only first pass: which resources of these names are this app's.
const LOOKUPS: &str = r#"
step "Looking up what Keyless created for $APP_NAME"
doomed=()
left_alone=()
# sort_out WHAT FOUND [DETAIL]: whether the resource found carries this app's
# marks; notes it as to delete (with DETAIL) if so, else as left alone.
sort_out() {
  local owner
  owner="$(owner_of "$2")"
  if [ "$owner" = ours ]; then
    doomed+=("$1${3:+ ($3)}")
    echo "to delete: $1"
    return 0
  fi
  left_alone+=("$1 ($owner)")
  echo "left alone: $1 ($owner)"
  return 1
}
# role_is_ours NAME: whether the role exists with this app's marks.
role_is_ours() {
  local found
  found="$(role_info "$1")" && sort_out "role $1" "$found"
}
deploy_role_ours=false
execution_role_ours=false
task_role_ours=false
if role_is_ours "$DEPLOY_ROLE"; then deploy_role_ours=true; fi
if role_is_ours "$EXECUTION_ROLE"; then execution_role_ours=true; fi
if role_is_ours "$TASK_ROLE"; then task_role_ours=true; fi

service_ours=false
found="$(service_info)"
IFS=$'\t' read -r _ _ service_state desired <<<"$found"
if { [ "$service_state" = ACTIVE ] || [ "$service_state" = DRAINING ]; } \
  && sort_out "service $SERVICE" "$found" "$desired tasks"; then
  service_ours=true
fi

our_revisions=()
foreign_revisions=0
for arn in $(family_revisions); do
  if [ "$(owner_of "$(revision_tags "$arn")")" = ours ]; then
    our_revisions+=("$arn")
  else
    foreign_revisions=$((foreign_revisions + 1))
  fi
done
if [ "${#our_revisions[@]}" -gt 0 ]; then
  doomed+=("${#our_revisions[@]} revisions of the task definition family $TASK_FAMILY")
  echo "to delete: ${#our_revisions[@]} revisions of $TASK_FAMILY"
fi
if [ "$foreign_revisions" -gt 0 ]; then
  left_alone+=("$foreign_revisions revisions of the task definition family $TASK_FAMILY (not registered by Keyless for $APP_NAME)")
  echo "left alone: $foreign_revisions revisions of $TASK_FAMILY"
fi

cluster_ours=false
found="$(cluster_info)"
IFS=$'\t' read -r _ _ cluster_status <<<"$found"
if [ "$cluster_status" = ACTIVE ] && sort_out "cluster $CLUSTER" "$found" "unless other services are in it"; then
  cluster_ours=true
fi
"#;

const SECURITY_GROUP_LOOKUP: &str = r#"sg_ours=false
if [ "$sg_id" != None ] && sort_out "security group $SECURITY_GROUP_NAME ($sg_id)" "$sg_found"; then
  sg_ours=true
fi
"#;

const STORAGE_LOOKUP: &str = r#"repository_ours=false
if found="$(repository_info)"; then
  IFS=$'\t' read -r _ _ images _ <<<"$found"
  if sort_out "ECR repository $ECR_REPOSITORY" "$found" "with its $images images"; then repository_ours=true; fi
fi
log_group_ours=false
if found="$(log_group_info)"; then
  IFS=$'\t' read -r _ _ _ bytes <<<"$found"
  if sort_out "log group $LOG_GROUP" "$found" "with its logs, $bytes bytes"; then log_group_ours=true; fi
fi
"#;

const CONFIRMATION: &str = r#"
if [ "${#doomed[@]}" -eq 0 ]; then
  echo "nothing here carries the marks of $APP_NAME: nothing to delete"
elif [ "$assume_yes" != true ]; then
  summary="$(printf '  - %s\n' "${doomed[@]}")"
  if [ ! -t 0 ]; then
    fail "this deletes, in account $ACCOUNT_ID ($REGION):"$'\n'"$summary"$'\n'"pass --yes to run without a prompt; nothing was deleted"
  fi
  printf 'This deletes, in account %s (%s):\n%s\nType the app name to go on: ' "$ACCOUNT_ID" "$REGION" "$summary"
  read -r answer
  [ "$answer" = "$APP_NAME" ] || fail "not confirmed; nothing was deleted"
fi

# delete_role NAME: detaches its managed policies, deletes its inline policies, then the role.
delete_role() {
  local arn policy
  for arn in $(aws iam list-attached-role-policies --role-name "$1" \
    --query 'AttachedPolicies[].PolicyArn' --output text); do
    aws iam detach-role-policy --role-name "$1" --policy-arn "$arn"
  done
  for policy in $(aws iam list-role-policies --role-name "$1" --query 'PolicyNames[]' --output text); do
    aws iam delete-role-policy --role-name "$1" --policy-name "$policy"
  done
  aws iam delete-role --role-name "$1"
  echo "deleted: role $1"
}

step "1. Deploy role"
if [ "$deploy_role_ours" = true ]; then delete_role "$DEPLOY_ROLE"; fi
"#;

/// The service, its task definitions and the cluster.
const SERVICE_DELETE: &str = r#"
step "2. Service"
if [ "$service_ours" = true ]; then
  if [ "$service_state" = ACTIVE ]; then
    aws ecs update-service --region "$REGION" --cluster "$CLUSTER" --service "$SERVICE" \
      --desired-count 0 >/dev/null
    aws ecs delete-service --region "$REGION" --cluster "$CLUSTER" --service "$SERVICE" --force >/dev/null
  fi
  echo "deleting: service $SERVICE; waiting until it has drained"
  wait_until_service_gone
  echo "deleted: service $SERVICE"
fi

step "3. Task definitions"
for arn in "${our_revisions[@]+"${our_revisions[@]}"}"; do
  aws ecs deregister-task-definition --region "$REGION" --task-definition "$arn" >/dev/null
  echo "deregistered: ${arn##*/}"
done

step "4. Cluster"
if [ "$cluster_ours" = true ]; then
  others="$(other_services | tr '\n' ' ')"
  if [ -n "$others" ]; then
    echo "kept: cluster $CLUSTER, which still holds the services $others"
  else
    aws ecs delete-cluster --region "$REGION" --cluster "$CLUSTER" >/dev/null
    echo "deleted: cluster $CLUSTER"
  fi
fi
"#;

const SECURITY_GROUP_DELETE: &str = r#"if [ "$sg_ours" = true ]; then
  # The network interfaces of stopped tasks take a while to go away.
  attempt=0
  until aws ec2 delete-security-group --region "$REGION" --group-id "$sg_id" 2>/dev/null; do
    attempt=$((attempt + 1))
    [ "$attempt" -lt 30 ] || fail "security group $sg_id is still in use after 5 minutes; run this script again later"
    sleep 10
  done
  echo "deleted: security group $SECURITY_GROUP_NAME ($sg_id)"
fi
"#;

const STORAGE_DELETE: &str = r#"
step "6. ECR repository"
if [ "$repository_ours" = true ]; then
  aws ecr delete-repository --region "$REGION" --repository-name "$ECR_REPOSITORY" --force >/dev/null
  echo "deleted: repository $ECR_REPOSITORY and its images"
fi

step "7. Log group"
if [ "$log_group_ours" = true ]; then
  aws logs delete-log-group --region "$REGION" --log-group-name "$LOG_GROUP"
  echo "deleted: log group $LOG_GROUP"
fi

step "8. Task execution role and task role"
if [ "$execution_role_ours" = true ]; then delete_role "$EXECUTION_ROLE"; fi
if [ "$task_role_ours" = true ]; then delete_role "$TASK_ROLE"; fi

step "9. GitHub OIDC provider"
if [ "$delete_oidc_provider" != true ]; then
  echo "kept: $OIDC_PROVIDER_ARN (other roles may trust it; --delete-oidc-provider deletes it)"
elif ! provider="$(aws iam get-open-id-connect-provider --open-id-connect-provider-arn "$OIDC_PROVIDER_ARN" \
  --query "[$IAM_OWNER_QUERY]" --output text 2>/dev/null)"; then
  echo "absent: $OIDC_PROVIDER_ARN"
else
  trusting="$(aws iam list-roles --query "$TRUSTING_ROLES_QUERY" --output text)"
  if [ "$(owner_of "$provider")" = "not created by Keyless" ]; then
    left_alone+=("the GitHub OIDC provider $OIDC_PROVIDER_ARN (not created by Keyless)")
    echo "kept: $OIDC_PROVIDER_ARN, which Keyless did not create"
  elif [ -n "$trusting" ] && [ "$trusting" != None ]; then
    echo "kept: $OIDC_PROVIDER_ARN, which these roles still trust: $trusting"
  else
    aws iam delete-open-id-connect-provider --open-id-connect-provider-arn "$OIDC_PROVIDER_ARN"
    echo "deleted: $OIDC_PROVIDER_ARN"
  fi
fi

step "Done"
if [ "${#left_alone[@]}" -gt 0 ]; then
  echo "Left alone, not created by Keyless for $APP_NAME:"
  printf '  - %s\n' "${left_alone[@]}"
fi
"#;

/// `infra/teardown.sh`: deletes what the plan creates, where it carries this app's marks.
pub fn teardown_script(config: &ValidConfig, plan: &Plan) -> String {
    let names = &plan.names;
    let creates_security_group = plan.security_group(GroupPurpose::Service).is_some();
    let lb = config.ingress.load_balancer();
    let header = vec![
        format!(
            "infra/teardown.sh: removes what infra/setup.sh created for {} in AWS account {} ({}).",
            config.repository(),
            names.account_id,
            names.region
        ),
        format!("{GENERATED_BY}."),
        String::new(),
        "  bash infra/teardown.sh [--yes] [--delete-oidc-provider]".into(),
        String::new(),
        format!(
            "It deletes only what carries Keyless's tags for this app (managed-by=keyless, keyless-app={}):",
            config.app_name
        ),
        "whatever else has the same names is left alone and listed at the end. It looks".into(),
        "everything up first, names what it will delete (with image and log counts) and".into(),
        "asks for the app name, unless --yes is given. Then, each only if it is this app's:".into(),
        "the deploy role (no deploy can start meanwhile), the service (scaled to 0 and".into(),
        "drained), the task definition revisions Keyless registered, the cluster (kept while".into(),
        "other services are in it), the security group, the ECR repository WITH ALL ITS".into(),
        "IMAGES, the log group WITH ALL ITS LOGS, and the task execution and task roles.".into(),
        "Running it again is safe. The account's GitHub OIDC provider stays: other roles".into(),
        "may trust it. --delete-oidc-provider deletes it too, but only if Keyless created it".into(),
        "and no role trusts it any more.".into(),
    ];
    let mut header = header;
    if plan.autoscaling.is_some() {
        header.push("Autoscaling is deregistered before the service is deleted.".into());
    }
    if let Some(lb) = lb {
        header.extend([
            "After the cluster: the load balancer with its listeners (waiting until it is gone),"
                .to_string(),
            if lb.tls.requested_domain().is_some() {
                "its target group, the certificate setup requested, then the service's security group"
            } else {
                "its target group, then the service's security group"
            }
            .into(),
            "and the load balancer's (retried while AWS still reports their network interfaces).".into(),
        ]);
        if let Tls::Existing(_) = lb.tls {
            header.push("The certificate of keyless.json stays: setup did not request it.".into());
        }
    }
    let mut s = Script::new(&header);
    s.blank();
    s.code(PRELUDE);
    s.blank();
    common_inputs(&mut s, plan, false);
    s.var(
        "TRUSTING_ROLES_QUERY",
        &format!(
            "Roles[?contains(to_string(AssumeRolePolicyDocument),'{}')].RoleName",
            plan.oidc_provider.arn
        ),
    );
    s.blank();
    s.code(ARGUMENTS);
    s.code(FUNCTIONS);
    if lb.is_some() {
        s.code(front_door::FUNCTIONS);
    }
    if lb.and_then(|lb| lb.tls.requested_domain()).is_some() {
        s.code(front_door::FIND_CERTIFICATE);
    }
    s.code(CHECKS);
    s.code(LOOKUPS);
    if creates_security_group {
        s.code(if plan.network.uses_default_vpc() {
            r#"vpc_id="$(aws ec2 describe-vpcs --region "$REGION" --filters Name=is-default,Values=true \
  --query 'Vpcs[0].VpcId' --output text)""#
        } else {
            r#"vpc_id="$(aws ec2 describe-subnets --region "$REGION" --subnet-ids "${SUBNETS[0]}" \
  --query 'Subnets[0].VpcId' --output text 2>/dev/null || echo None)""#
        });
        s.code(
            r#"sg_found=None
sg_id=None
if [ -n "$vpc_id" ] && [ "$vpc_id" != "None" ]; then"#,
        );
        s.code(FIND_SECURITY_GROUP);
        s.code("fi");
        s.code(SECURITY_GROUP_LOOKUP);
        if lb.is_some() {
            s.code(front_door::TEARDOWN_LOOKUPS);
        }
    }
    if lb.and_then(|lb| lb.tls.requested_domain()).is_some() {
        s.code(front_door::TEARDOWN_CERTIFICATE_LOOKUP);
    }
    s.code(STORAGE_LOOKUP);
    s.code(CONFIRMATION);
    if plan.autoscaling.is_some() {
        s.code(front_door::TEARDOWN_AUTOSCALING);
    }
    s.code(SERVICE_DELETE);
    if let Some(lb) = lb {
        s.code(front_door::TEARDOWN_LOAD_BALANCER);
        if lb.tls.requested_domain().is_some() {
            s.code(front_door::TEARDOWN_CERTIFICATE);
        }
    }
    s.blank();
    s.code(r#"step "5. Security group""#);
    if creates_security_group {
        s.code(SECURITY_GROUP_DELETE);
        if lb.is_some() {
            s.code(front_door::TEARDOWN_LB_SECURITY_GROUP);
        }
    } else {
        s.code(r#"echo "kept: the security groups of keyless.json (${SECURITY_GROUPS[*]}) were not created by Keyless""#);
    }
    s.code(STORAGE_DELETE);
    s.finish()
}
