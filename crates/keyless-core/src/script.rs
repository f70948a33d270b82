//! `infra/setup.sh` and `infra/teardown.sh`, written with a small builder that
//! keeps every config value inside single quotes.
//!
//! The builder takes shell code only as `&'static str` (text written in this
//! file) and config values only through [`Script::var`] and [`Script::array`],
//! which single-quote them (`'` becomes `'\''`). The code then refers to the
//! values as `"$NAME"`. So no value can ever be read as shell syntax, whatever
//! it contains; validation already rejects most odd characters, this is the
//! second wall.
//!
//! # The first deploy needs no manual step
//! `setup.sh` must create the service before any image exists: the deploy action
//! only updates an existing service. So it registers revision 1 of the task
//! definition from the committed `.aws/task-definition.json`, whose image is the
//! app's ECR repository with the tag [`crate::names::BOOTSTRAP_IMAGE_TAG`] —
//! never pushed — and creates the service with **desired count 0**: no task
//! starts, nothing tries to pull the missing image, no health check fails, no
//! public placeholder image runs in the user's account. The first push then runs
//! the workflow, which builds and pushes the image, renders it into the task
//! definition and deploys with `desired-count` from `keyless.json`, starting the
//! tasks and waiting until they are stable. A public placeholder image was
//! rejected: it would not listen on the app's port or pass its health check, so
//! the circuit breaker would fail the service's first deployment and the tasks
//! would churn until the first push.
//!
//! # Idempotence
//! Every resource is looked up first and created only when missing; policies are
//! re-applied (`put-role-policy`, `update-assume-role-policy`,
//! `put-lifecycle-policy` and `put-retention-policy` replace a document with
//! itself). The task definition is registered only when its family has no active
//! revision and an existing service is left alone: after the first deploy both
//! belong to the workflow, and a second run must not roll the service back to
//! the bootstrap image or to zero tasks.

use crate::bundle::{PERMISSIONS_POLICY_PATH, TASK_DEFINITION_PATH, TRUST_POLICY_PATH};
use crate::config::ValidConfig;
use crate::iam;
use crate::names::{
    Names, DEPLOY_POLICY_NAME, GITHUB_OIDC_URL, SECRETS_POLICY_NAME, STS_AUDIENCE,
    TASK_EXECUTION_MANAGED_POLICY_ARN,
};

/// A bash script under construction.
#[derive(Clone, Debug, Default)]
pub struct Script {
    text: String,
}

/// Single-quotes a value for bash: `it's` becomes `'it'\''s'`.
pub fn quote(value: &str) -> String {
    format!("'{}'", value.replace('\'', r"'\''"))
}

fn is_identifier(name: &str) -> bool {
    name.chars()
        .next()
        .is_some_and(|c| c.is_ascii_uppercase() || c == '_')
        && name
            .chars()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_')
}

impl Script {
    /// Starts a script: the shebang, then the header as comments.
    pub fn new(header: &[String]) -> Script {
        let mut script = Script {
            text: "#!/usr/bin/env bash\n".into(),
        };
        for line in header {
            script.comment(line);
        }
        script
    }

    /// A comment line (line breaks inside become spaces).
    pub fn comment(&mut self, line: &str) {
        let line: String = line
            .chars()
            .map(|c| if c.is_control() { ' ' } else { c })
            .collect();
        if line.trim().is_empty() {
            self.text.push_str("#\n");
        } else {
            self.text.push_str("# ");
            self.text.push_str(line.trim_end());
            self.text.push('\n');
        }
    }

    /// An empty line.
    pub fn blank(&mut self) {
        self.text.push('\n');
    }

    /// Shell code written in this file (never a config value).
    pub fn code(&mut self, code: &'static str) {
        self.text.push_str(code);
        if !code.ends_with('\n') {
            self.text.push('\n');
        }
    }

    /// `readonly NAME='value'`.
    pub fn var(&mut self, name: &'static str, value: &str) {
        assert!(is_identifier(name), "{name} is not a shell variable name");
        self.text
            .push_str(&format!("readonly {name}={}\n", quote(value)));
    }

    /// `NAME=('a' 'b')` (not readonly: bash 3.2 cannot mark arrays readonly).
    pub fn array(&mut self, name: &'static str, values: &[String]) {
        assert!(is_identifier(name), "{name} is not a shell variable name");
        let items: Vec<String> = values.iter().map(|v| quote(v)).collect();
        self.text
            .push_str(&format!("{name}=({})\n", items.join(" ")));
    }

    /// The finished text.
    pub fn finish(self) -> String {
        self.text
    }
}

/// The inputs both scripts share, as readonly variables.
fn common_inputs(script: &mut Script, config: &ValidConfig, names: &Names, setup: bool) {
    script.comment("Inputs, from keyless.json and the names Keyless derives from it.");
    script.var("ACCOUNT_ID", &names.account_id);
    script.var("REGION", &names.region);
    script.var("APP_NAME", &config.app_name);
    script.var("OIDC_PROVIDER_ARN", &names.oidc_provider_arn);
    script.var("DEPLOY_ROLE", &names.deploy_role);
    script.var("EXECUTION_ROLE", &names.execution_role);
    script.var("TASK_ROLE", &names.task_role);
    script.var("ECR_REPOSITORY", &names.ecr_repository);
    script.var("LOG_GROUP", &names.log_group);
    script.var("CLUSTER", &names.cluster);
    script.var("SERVICE", &names.service);
    script.var("TASK_FAMILY", &names.task_family);
    let creates_security_group = config.security_groups.is_empty();
    if creates_security_group {
        script.var("SECURITY_GROUP_NAME", &names.security_group);
    }
    if !config.subnets.is_empty() && (setup || creates_security_group) {
        script.array("SUBNETS", &config.subnets);
    }
    if !config.security_groups.is_empty() {
        script.array("SECURITY_GROUPS", &config.security_groups);
    }
}

const PRELUDE: &str = r#"set -euo pipefail
# AWS CLI v2 pages output through `less` unless this is empty; v1 ignores it.
export AWS_PAGER=""
"#;

const FUNCTIONS: &str = r#"step() { printf '\n==> %s\n' "$*"; }
fail() { printf 'error: %s\n' "$*" >&2; exit 1; }

# has_word LIST WORD: whether WORD is one of the whitespace-separated words of LIST.
has_word() {
  case " $(printf '%s' "$1" | tr '\t\n' '  ') " in
    *" $2 "*) return 0 ;;
    *) return 1 ;;
  esac
}

# service_status: ACTIVE, DRAINING, INACTIVE, or None when there is no such service.
service_status() {
  aws ecs describe-services --region "$REGION" --cluster "$CLUSTER" --services "$SERVICE" \
    --query 'services[0].status' --output text 2>/dev/null || echo None
}

# wait_until_service_gone: polls until the service is neither ACTIVE nor DRAINING.
wait_until_service_gone() {
  local attempt=0
  while [ "$attempt" -lt 60 ]; do
    case "$(service_status)" in
      ACTIVE | DRAINING) sleep 10 ;;
      *) return 0 ;;
    esac
    attempt=$((attempt + 1))
  done
  fail "service $SERVICE is still draining after 10 minutes; run this script again later"
}

"#;

const CHECKS: &str = r#"command -v aws >/dev/null 2>&1 || fail "the AWS CLI (v1 or v2) is not installed"

step "Checking the credentials"
caller_account="$(aws sts get-caller-identity --region "$REGION" --query Account --output text)"
if [ "$caller_account" != "$ACCOUNT_ID" ]; then
  fail "these credentials are for account $caller_account, but keyless.json deploys to $ACCOUNT_ID"
fi
echo "account $ACCOUNT_ID, region $REGION"
"#;

/// Finds the VPC: the subnets' when the config lists them, else the default VPC
/// (whose default subnets become `SUBNETS`). Sets `vpc_id`.
const VPC_FROM_SUBNETS: &str = r#"vpcs="$(aws ec2 describe-subnets --region "$REGION" --subnet-ids "${SUBNETS[@]}" \
  --query 'Subnets[].VpcId' --output text | tr '\t' '\n' | sort -u)"
if [ -z "$vpcs" ] || [ "$(printf '%s\n' "$vpcs" | wc -l)" -ne 1 ]; then
  fail "the subnets in keyless.json must all be in one VPC (found: $vpcs)"
fi
vpc_id="$vpcs"
echo "VPC $vpc_id, subnets: ${SUBNETS[*]}"
"#;

const VPC_DEFAULT: &str = r#"vpc_id="$(aws ec2 describe-vpcs --region "$REGION" --filters Name=is-default,Values=true \
  --query 'Vpcs[0].VpcId' --output text)"
if [ -z "$vpc_id" ] || [ "$vpc_id" = "None" ]; then
  fail "there is no default VPC in $REGION: create one (aws ec2 create-default-vpc --region $REGION) or list subnets in keyless.json"
fi
subnet_ids="$(aws ec2 describe-subnets --region "$REGION" \
  --filters "Name=vpc-id,Values=$vpc_id" Name=default-for-az,Values=true \
  --query 'Subnets[].SubnetId' --output text)"
read -r -a SUBNETS <<<"$subnet_ids"
if [ "${#SUBNETS[@]}" -eq 0 ] || [ "${SUBNETS[0]}" = "None" ]; then
  fail "the default VPC $vpc_id has no default subnets; list subnets in keyless.json"
fi
echo "default VPC $vpc_id, subnets: ${SUBNETS[*]}"
"#;

/// Looks up the security group Keyless created (by name, in `vpc_id`). Sets `sg_id`.
const FIND_SECURITY_GROUP: &str = r#"sg_id="$(aws ec2 describe-security-groups --region "$REGION" \
  --filters "Name=vpc-id,Values=$vpc_id" "Name=group-name,Values=$SECURITY_GROUP_NAME" \
  --query 'SecurityGroups[0].GroupId' --output text)"
"#;

/// Finds the default VPC for teardown without failing when there is none.
const TEARDOWN_VPC_DEFAULT: &str = r#"vpc_id="$(aws ec2 describe-vpcs --region "$REGION" --filters Name=is-default,Values=true \
  --query 'Vpcs[0].VpcId' --output text)"
"#;

const TEARDOWN_VPC_FROM_SUBNETS: &str = r#"vpc_id="$(aws ec2 describe-subnets --region "$REGION" --subnet-ids "${SUBNETS[0]}" \
  --query 'Subnets[0].VpcId' --output text 2>/dev/null || echo None)"
"#;

/// `infra/setup.sh`.
pub fn setup_script(config: &ValidConfig) -> String {
    let names = Names::new(config);
    let mut header = vec![
        format!(
            "infra/setup.sh: creates what the deploy workflow of {} needs in AWS account {} ({}).",
            config.repository(),
            names.account_id,
            names.region
        ),
        "Generated by Keyless from keyless.json; regenerate rather than edit.".into(),
        String::new(),
        "Run it once, from anywhere, with administrator credentials for that account:".into(),
        "  bash infra/setup.sh".into(),
        format!(
            "It reads {TRUST_POLICY_PATH}, {PERMISSIONS_POLICY_PATH} and {TASK_DEFINITION_PATH}"
        ),
        "of the same checkout. AWS CLI v1 or v2; every regional call names its region.".into(),
        "Running it again is safe: it looks everything up first, creates only what is".into(),
        "missing, and re-applies the policies (a no-op when they did not change).".into(),
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
        String::new(),
        "Why 0 tasks: no image exists before the first push, so no task could start.".into(),
        format!(
            "Then push to {}: the workflow builds and pushes the image, renders it into the",
            config.branch
        ),
        format!(
            "task definition and deploys it with {} task(s), waiting until they are stable.",
            config.desired_count
        ),
        "No manual step in between. After that, the task definition and the desired count".into(),
        "belong to the workflow: running this script again leaves both alone. It also leaves"
            .into(),
        "an existing service's network and capacity settings alone: to change subnets,".into(),
        "security groups, the public IP or Spot later, run infra/teardown.sh first, or update"
            .into(),
        "the service yourself (aws ecs update-service --network-configuration ...).".into(),
    ]);
    let mut s = Script::new(&header);
    s.blank();
    s.code(PRELUDE);
    s.blank();
    common_inputs(&mut s, config, &names, true);
    s.var("OIDC_URL", GITHUB_OIDC_URL);
    s.var("AUDIENCE", STS_AUDIENCE);
    s.var("DEPLOY_POLICY_NAME", DEPLOY_POLICY_NAME);
    s.var("SECRETS_POLICY_NAME", SECRETS_POLICY_NAME);
    s.var(
        "EXECUTION_MANAGED_POLICY_ARN",
        TASK_EXECUTION_MANAGED_POLICY_ARN,
    );
    s.var("LOG_RETENTION_DAYS", &config.log_retention_days.to_string());
    s.var(
        "ASSIGN_PUBLIC_IP",
        if config.assign_public_ip {
            "ENABLED"
        } else {
            "DISABLED"
        },
    );
    if config.security_groups.is_empty() {
        s.var("CONTAINER_PORT", &config.container_port.to_string());
        s.var(
            "SECURITY_GROUP_DESCRIPTION",
            &format!(
                "Keyless: inbound TCP {} to the {} service",
                config.container_port, config.app_name
            ),
        );
    }
    s.var(
        "EXECUTION_TRUST_POLICY",
        &compact_json(&iam::execution_role_trust_policy()),
    );
    s.var(
        "TASK_TRUST_POLICY",
        &compact_json(&iam::task_role_trust_policy(config)),
    );
    if let Some(policy) = iam::secrets_policy(config) {
        s.var("SECRETS_POLICY", &compact_json(&policy));
    }
    s.var("ECR_LIFECYCLE_POLICY", &compact_json(&lifecycle_policy()));
    s.var(
        "DEPLOYMENT_CONFIGURATION",
        &compact_json(&deployment_configuration()),
    );
    s.var("DEPLOY_ROLE_ARN", &names.deploy_role_arn);
    s.var("BRANCH", &config.branch);
    s.array("SUBJECTS", &names.subjects);
    s.blank();
    s.code(FUNCTIONS);
    s.blank();
    s.code(
        r#"here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
readonly TRUST_POLICY_FILE="$here/trust-policy.json"
readonly PERMISSIONS_POLICY_FILE="$here/permissions-policy.json"
readonly TASK_DEFINITION_FILE="$here/../.aws/task-definition.json"
for file in "$TRUST_POLICY_FILE" "$PERMISSIONS_POLICY_FILE" "$TASK_DEFINITION_FILE"; do
  [ -f "$file" ] || fail "missing $file: keep the files Keyless generated together"
done
"#,
    );
    s.code(CHECKS);
    s.blank();
    s.code(
        r#"step "1. GitHub OIDC provider"
if aws iam get-open-id-connect-provider --open-id-connect-provider-arn "$OIDC_PROVIDER_ARN" >/dev/null 2>&1; then
  client_ids="$(aws iam get-open-id-connect-provider --open-id-connect-provider-arn "$OIDC_PROVIDER_ARN" \
    --query 'ClientIDList' --output text)"
  if has_word "$client_ids" "$AUDIENCE"; then
    echo "exists: $OIDC_PROVIDER_ARN"
  else
    aws iam add-client-id-to-open-id-connect-provider --open-id-connect-provider-arn "$OIDC_PROVIDER_ARN" \
      --client-id "$AUDIENCE"
    echo "exists: $OIDC_PROVIDER_ARN (audience $AUDIENCE added)"
  fi
else
  # No thumbprint: AWS no longer uses thumbprints for GitHub's issuer.
  aws iam create-open-id-connect-provider --url "$OIDC_URL" --client-id-list "$AUDIENCE" >/dev/null
  echo "created: $OIDC_PROVIDER_ARN"
fi

# ensure_role NAME TRUST_POLICY DESCRIPTION: creates the role, or re-applies its trust policy.
ensure_role() {
  if aws iam get-role --role-name "$1" >/dev/null 2>&1; then
    aws iam update-assume-role-policy --role-name "$1" --policy-document "$2"
    echo "exists: role $1 (trust policy re-applied)"
  else
    aws iam create-role --role-name "$1" --assume-role-policy-document "$2" \
      --description "$3" --tags Key=managed-by,Value=keyless >/dev/null
    echo "created: role $1"
  fi
}

step "2. Deploy role (assumed by the workflow)"
ensure_role "$DEPLOY_ROLE" "file://$TRUST_POLICY_FILE" "Keyless: GitHub Actions deploys $APP_NAME"
aws iam put-role-policy --role-name "$DEPLOY_ROLE" --policy-name "$DEPLOY_POLICY_NAME" \
  --policy-document "file://$PERMISSIONS_POLICY_FILE"
echo "applied: policy $DEPLOY_POLICY_NAME"

step "3. Task execution role and task role"
ensure_role "$EXECUTION_ROLE" "$EXECUTION_TRUST_POLICY" "Keyless: ECS pulls the image and writes logs of $APP_NAME"
aws iam attach-role-policy --role-name "$EXECUTION_ROLE" --policy-arn "$EXECUTION_MANAGED_POLICY_ARN"
echo "attached: $EXECUTION_MANAGED_POLICY_ARN"
"#,
    );
    if iam::secrets_policy(config).is_some() {
        s.code(
            r#"aws iam put-role-policy --role-name "$EXECUTION_ROLE" --policy-name "$SECRETS_POLICY_NAME" \
  --policy-document "$SECRETS_POLICY"
echo "applied: policy $SECRETS_POLICY_NAME (read exactly the container's secrets)"
"#,
        );
    } else {
        s.code(
            r#"if aws iam get-role-policy --role-name "$EXECUTION_ROLE" --policy-name "$SECRETS_POLICY_NAME" >/dev/null 2>&1; then
  aws iam delete-role-policy --role-name "$EXECUTION_ROLE" --policy-name "$SECRETS_POLICY_NAME"
  echo "deleted: policy $SECRETS_POLICY_NAME (keyless.json has no secrets any more)"
fi
"#,
        );
    }
    s.code(
        r#"ensure_role "$TASK_ROLE" "$TASK_TRUST_POLICY" "Keyless: the $APP_NAME app's own AWS permissions"

step "4. ECR repository"
if aws ecr describe-repositories --region "$REGION" --repository-names "$ECR_REPOSITORY" >/dev/null 2>&1; then
  aws ecr put-image-tag-mutability --region "$REGION" --repository-name "$ECR_REPOSITORY" \
    --image-tag-mutability IMMUTABLE >/dev/null
  echo "exists: repository $ECR_REPOSITORY (tags immutable)"
else
  aws ecr create-repository --region "$REGION" --repository-name "$ECR_REPOSITORY" \
    --image-tag-mutability IMMUTABLE --image-scanning-configuration scanOnPush=true \
    --tags Key=managed-by,Value=keyless >/dev/null
  echo "created: repository $ECR_REPOSITORY"
fi
aws ecr put-lifecycle-policy --region "$REGION" --repository-name "$ECR_REPOSITORY" \
  --lifecycle-policy-text "$ECR_LIFECYCLE_POLICY" >/dev/null
echo "applied: lifecycle policy (untagged images expire after 1 day)"

step "5. Log group"
if has_word "$(aws logs describe-log-groups --region "$REGION" --log-group-name-prefix "$LOG_GROUP" \
  --query 'logGroups[].logGroupName' --output text)" "$LOG_GROUP"; then
  echo "exists: log group $LOG_GROUP"
else
  aws logs create-log-group --region "$REGION" --log-group-name "$LOG_GROUP" --tags managed-by=keyless
  echo "created: log group $LOG_GROUP"
fi
aws logs put-retention-policy --region "$REGION" --log-group-name "$LOG_GROUP" \
  --retention-in-days "$LOG_RETENTION_DAYS"
echo "applied: retention $LOG_RETENTION_DAYS days"

step "6. Cluster"
cluster_status="$(aws ecs describe-clusters --region "$REGION" --clusters "$CLUSTER" \
  --query 'clusters[0].status' --output text)"
"#,
    );
    if config.use_spot {
        s.code(
            r#"if [ "$cluster_status" = "ACTIVE" ]; then
  echo "exists: cluster $CLUSTER"
else
  aws ecs create-cluster --region "$REGION" --cluster-name "$CLUSTER" \
    --tags key=managed-by,value=keyless >/dev/null
  echo "created: cluster $CLUSTER"
fi
aws ecs put-cluster-capacity-providers --region "$REGION" --cluster "$CLUSTER" \
  --capacity-providers FARGATE FARGATE_SPOT \
  --default-capacity-provider-strategy capacityProvider=FARGATE_SPOT,weight=1 >/dev/null
echo "applied: capacity providers FARGATE and FARGATE_SPOT (Spot by default)"
"#,
        );
    } else {
        s.code(
            r#"if [ "$cluster_status" = "ACTIVE" ]; then
  echo "exists: cluster $CLUSTER"
else
  aws ecs create-cluster --region "$REGION" --cluster-name "$CLUSTER" \
    --tags key=managed-by,value=keyless >/dev/null
  echo "created: cluster $CLUSTER"
fi
"#,
        );
    }
    s.blank();
    s.code(r#"step "7. Network""#);
    match (config.subnets.is_empty(), config.security_groups.is_empty()) {
        (true, _) => s.code(VPC_DEFAULT),
        // The security group Keyless creates must be in the subnets' VPC.
        (false, true) => s.code(VPC_FROM_SUBNETS),
        // Nothing to create: create-service itself checks the given ids.
        (false, false) => s.code(r#"echo "subnets: ${SUBNETS[*]}""#),
    }
    if config.security_groups.is_empty() {
        s.code(FIND_SECURITY_GROUP);
        s.code(
            r#"if [ -z "$sg_id" ] || [ "$sg_id" = "None" ]; then
  sg_id="$(aws ec2 create-security-group --region "$REGION" --group-name "$SECURITY_GROUP_NAME" \
    --description "$SECURITY_GROUP_DESCRIPTION" --vpc-id "$vpc_id" --query GroupId --output text)"
  echo "created: security group $SECURITY_GROUP_NAME ($sg_id)"
else
  echo "exists: security group $SECURITY_GROUP_NAME ($sg_id)"
fi
rules="$(aws ec2 describe-security-groups --region "$REGION" --group-ids "$sg_id" \
  --query 'SecurityGroups[0].IpPermissions[].[IpProtocol,FromPort,ToPort]' --output text)"
if printf '%s\n' "$rules" | grep -Eq "^tcp[[:space:]]+${CONTAINER_PORT}[[:space:]]+${CONTAINER_PORT}\$"; then
  echo "exists: inbound rule tcp/$CONTAINER_PORT"
else
  # Only the container port, from anywhere: the tasks have public IPs and no load balancer.
  aws ec2 authorize-security-group-ingress --region "$REGION" --group-id "$sg_id" \
    --protocol tcp --port "$CONTAINER_PORT" --cidr 0.0.0.0/0 >/dev/null
  echo "created: inbound rule tcp/$CONTAINER_PORT from anywhere"
fi
SECURITY_GROUPS=("$sg_id")
"#,
        );
    } else {
        s.code(r#"echo "security groups: ${SECURITY_GROUPS[*]}""#);
    }
    s.code(
        r#"for id in "${SUBNETS[@]}" "${SECURITY_GROUPS[@]}"; do
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
if aws ecs describe-task-definition --region "$REGION" --task-definition "$TASK_FAMILY" >/dev/null 2>&1; then
  echo "exists: family $TASK_FAMILY (the workflow registers each new revision)"
else
  aws ecs register-task-definition --region "$REGION" --cli-input-json "file://$TASK_DEFINITION_FILE" >/dev/null
  echo "registered: $TASK_FAMILY revision 1 (its image is pushed by the first deploy)"
fi

step "9. Service"
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
    --task-definition "$TASK_FAMILY" --desired-count 0 \
"#,
    );
    if config.use_spot {
        s.code(
            r#"    --capacity-provider-strategy capacityProvider=FARGATE_SPOT,weight=1 --platform-version LATEST \"#,
        );
    } else {
        s.code(r#"    --launch-type FARGATE --platform-version LATEST \"#);
    }
    s.code(
        r#"    --network-configuration "$network_configuration" \
    --deployment-configuration "$DEPLOYMENT_CONFIGURATION" \
    --tags key=managed-by,value=keyless >/dev/null
  echo "created: service $SERVICE with 0 tasks; the first deploy starts them"
fi
"#,
    );
    s.blank();
    s.code(
        r#"step "Done"
echo "The workflow assumes $DEPLOY_ROLE_ARN"
echo "with a token whose sub is one of:"
printf '  %s\n' "${SUBJECTS[@]}"
echo "Commit the generated files and push to $BRANCH to deploy."
"#,
    );
    s.finish()
}

/// `infra/teardown.sh`.
pub fn teardown_script(config: &ValidConfig) -> String {
    let names = Names::new(config);
    let header = vec![
        format!(
            "infra/teardown.sh: removes what infra/setup.sh created for {} in AWS account {} ({}).",
            config.repository(),
            names.account_id,
            names.region
        ),
        "Generated by Keyless from keyless.json.".into(),
        String::new(),
        "  bash infra/teardown.sh [--yes] [--delete-oidc-provider]".into(),
        String::new(),
        "It deletes, in this order, each only if it exists (so running it again is safe):".into(),
        "the deploy role first (no deploy can start meanwhile), the service (scaled to 0".into(),
        "and drained), every revision of the task definition family (deregistered), the".into(),
        "cluster, the security group Keyless created, the ECR repository WITH ALL ITS IMAGES,"
            .into(),
        "the log group WITH ALL ITS LOGS, and the task execution and task roles (with every".into(),
        "policy on them). It asks for the app name first unless --yes is given.".into(),
        "The account's GitHub OIDC provider stays: other roles may trust it. Pass".into(),
        "--delete-oidc-provider to delete it too.".into(),
    ];
    let mut s = Script::new(&header);
    s.blank();
    s.code(PRELUDE);
    s.blank();
    common_inputs(&mut s, config, &names, false);
    s.blank();
    s.code(
        r#"usage() { echo "usage: bash infra/teardown.sh [--yes] [--delete-oidc-provider]"; }
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
"#,
    );
    s.code(FUNCTIONS);
    s.code(CHECKS);
    s.code(
        r#"
if [ "$assume_yes" != true ]; then
  if [ ! -t 0 ]; then
    fail "this deletes the $APP_NAME service, its images and its logs; pass --yes to run without a prompt"
  fi
  printf 'This deletes the %s service, cluster, ECR repository (every image), log group (every log)\nand roles in account %s (%s). Type the app name to go on: ' "$APP_NAME" "$ACCOUNT_ID" "$REGION"
  read -r answer
  [ "$answer" = "$APP_NAME" ] || fail "not confirmed; nothing was deleted"
fi

# delete_role NAME: detaches its managed policies, deletes its inline policies, then the role.
delete_role() {
  if ! aws iam get-role --role-name "$1" >/dev/null 2>&1; then
    echo "absent: role $1"
    return 0
  fi
  local arn policy
  for arn in $(aws iam list-attached-role-policies --role-name "$1" \
    --query 'AttachedPolicies[].PolicyArn' --output text); do
    [ "$arn" = "None" ] || aws iam detach-role-policy --role-name "$1" --policy-arn "$arn"
  done
  for policy in $(aws iam list-role-policies --role-name "$1" --query 'PolicyNames[]' --output text); do
    [ "$policy" = "None" ] || aws iam delete-role-policy --role-name "$1" --policy-name "$policy"
  done
  aws iam delete-role --role-name "$1"
  echo "deleted: role $1"
}

step "1. Deploy role"
delete_role "$DEPLOY_ROLE"

step "2. Service"
case "$(service_status)" in
  ACTIVE)
    aws ecs update-service --region "$REGION" --cluster "$CLUSTER" --service "$SERVICE" \
      --desired-count 0 >/dev/null
    aws ecs delete-service --region "$REGION" --cluster "$CLUSTER" --service "$SERVICE" --force >/dev/null
    echo "deleting: service $SERVICE; waiting until it has drained"
    wait_until_service_gone
    echo "deleted: service $SERVICE"
    ;;
  DRAINING)
    echo "draining: service $SERVICE; waiting"
    wait_until_service_gone
    ;;
  *) echo "absent: service $SERVICE" ;;
esac

step "3. Task definitions"
for arn in $(aws ecs list-task-definitions --region "$REGION" --family-prefix "$TASK_FAMILY" \
  --status ACTIVE --query 'taskDefinitionArns[]' --output text); do
  revision="${arn##*/}"
  # --family-prefix also lists longer families (APP-worker); keep to this one.
  if [ "${revision%:*}" = "$TASK_FAMILY" ]; then
    aws ecs deregister-task-definition --region "$REGION" --task-definition "$arn" >/dev/null
    echo "deregistered: $revision"
  fi
done

step "4. Cluster"
if [ "$(aws ecs describe-clusters --region "$REGION" --clusters "$CLUSTER" \
  --query 'clusters[0].status' --output text)" = "ACTIVE" ]; then
  aws ecs delete-cluster --region "$REGION" --cluster "$CLUSTER" >/dev/null
  echo "deleted: cluster $CLUSTER"
else
  echo "absent: cluster $CLUSTER"
fi

step "5. Security group"
"#,
    );
    if config.security_groups.is_empty() {
        if config.subnets.is_empty() {
            s.code(TEARDOWN_VPC_DEFAULT);
        } else {
            s.code(TEARDOWN_VPC_FROM_SUBNETS);
        }
        s.code(
            r#"sg_id="None"
if [ -n "$vpc_id" ] && [ "$vpc_id" != "None" ]; then
"#,
        );
        s.code(FIND_SECURITY_GROUP);
        s.code(
            r#"fi
if [ -z "$sg_id" ] || [ "$sg_id" = "None" ]; then
  echo "absent: security group $SECURITY_GROUP_NAME"
else
  # The network interfaces of stopped tasks take a while to go away.
  attempt=0
  until aws ec2 delete-security-group --region "$REGION" --group-id "$sg_id" 2>/dev/null; do
    attempt=$((attempt + 1))
    [ "$attempt" -lt 30 ] || fail "security group $sg_id is still in use after 5 minutes; run this script again later"
    sleep 10
  done
  echo "deleted: security group $SECURITY_GROUP_NAME ($sg_id)"
fi
"#,
        );
    } else {
        s.code(r#"echo "kept: the security groups of keyless.json (${SECURITY_GROUPS[*]}) were not created by Keyless""#);
    }
    s.code(
        r#"
step "6. ECR repository"
if aws ecr describe-repositories --region "$REGION" --repository-names "$ECR_REPOSITORY" >/dev/null 2>&1; then
  aws ecr delete-repository --region "$REGION" --repository-name "$ECR_REPOSITORY" --force >/dev/null
  echo "deleted: repository $ECR_REPOSITORY and its images"
else
  echo "absent: repository $ECR_REPOSITORY"
fi

step "7. Log group"
if has_word "$(aws logs describe-log-groups --region "$REGION" --log-group-name-prefix "$LOG_GROUP" \
  --query 'logGroups[].logGroupName' --output text)" "$LOG_GROUP"; then
  aws logs delete-log-group --region "$REGION" --log-group-name "$LOG_GROUP"
  echo "deleted: log group $LOG_GROUP"
else
  echo "absent: log group $LOG_GROUP"
fi

step "8. Task execution role and task role"
delete_role "$EXECUTION_ROLE"
delete_role "$TASK_ROLE"

step "9. GitHub OIDC provider"
if [ "$delete_oidc_provider" = true ]; then
  if aws iam get-open-id-connect-provider --open-id-connect-provider-arn "$OIDC_PROVIDER_ARN" >/dev/null 2>&1; then
    aws iam delete-open-id-connect-provider --open-id-connect-provider-arn "$OIDC_PROVIDER_ARN"
    echo "deleted: $OIDC_PROVIDER_ARN"
  else
    echo "absent: $OIDC_PROVIDER_ARN"
  fi
else
  echo "kept: $OIDC_PROVIDER_ARN (pass --delete-oidc-provider to delete it)"
fi

step "Done"
"#,
    );
    s.finish()
}

/// The ECR lifecycle policy: untagged images expire after a day, and only the
/// newest [`KEEP_IMAGES`] images are kept.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct LifecyclePolicy {
    /// The rules, by priority.
    pub rules: Vec<LifecycleRule>,
}

/// Images kept by the lifecycle policy (enough to roll back a long way).
pub const KEEP_IMAGES: u32 = 50;

/// One lifecycle rule.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct LifecycleRule {
    /// Lower runs first.
    pub rule_priority: u32,
    /// What the rule does.
    pub description: &'static str,
    /// Which images.
    pub selection: LifecycleSelection,
    /// Always expire.
    pub action: LifecycleAction,
}

/// The images a lifecycle rule applies to.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct LifecycleSelection {
    /// `untagged` or `any`.
    pub tag_status: &'static str,
    /// `sinceImagePushed` or `imageCountMoreThan`.
    pub count_type: &'static str,
    /// `days` for `sinceImagePushed`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub count_unit: Option<&'static str>,
    /// Days or images.
    pub count_number: u32,
}

/// A lifecycle action.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct LifecycleAction {
    /// Always `expire`.
    #[serde(rename = "type")]
    pub kind: &'static str,
}

/// The ECR lifecycle policy for the app's repository.
pub fn lifecycle_policy() -> LifecyclePolicy {
    LifecyclePolicy {
        rules: vec![
            LifecycleRule {
                rule_priority: 1,
                description: "Expire untagged images one day after push",
                selection: LifecycleSelection {
                    tag_status: "untagged",
                    count_type: "sinceImagePushed",
                    count_unit: Some("days"),
                    count_number: 1,
                },
                action: LifecycleAction { kind: "expire" },
            },
            LifecycleRule {
                rule_priority: 2,
                description: "Keep the newest 50 images",
                selection: LifecycleSelection {
                    tag_status: "any",
                    count_type: "imageCountMoreThan",
                    count_unit: None,
                    count_number: KEEP_IMAGES,
                },
                action: LifecycleAction { kind: "expire" },
            },
        ],
    }
}

/// The service's `deploymentConfiguration`.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DeploymentConfiguration {
    /// Stop and roll back a deployment whose tasks keep failing.
    pub deployment_circuit_breaker: CircuitBreaker,
    /// New tasks may double the count during a deploy.
    pub maximum_percent: u32,
    /// Old tasks run until the new ones are healthy.
    pub minimum_healthy_percent: u32,
}

/// `deploymentCircuitBreaker`.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct CircuitBreaker {
    /// On.
    pub enable: bool,
    /// Roll back to the last working revision.
    pub rollback: bool,
}

/// Circuit breaker with rollback, zero-downtime rolling deploys.
pub fn deployment_configuration() -> DeploymentConfiguration {
    DeploymentConfiguration {
        deployment_circuit_breaker: CircuitBreaker {
            enable: true,
            rollback: true,
        },
        maximum_percent: 200,
        minimum_healthy_percent: 100,
    }
}

fn compact_json<T: serde::Serialize>(value: &T) -> String {
    serde_json::to_string(value).expect("plain data always serialises")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoting() {
        assert_eq!(quote("plain"), "'plain'");
        assert_eq!(quote("it's"), r"'it'\''s'");
        assert_eq!(quote("$(id) `id` \"x\""), "'$(id) `id` \"x\"'");
        assert_eq!(quote(""), "''");
    }

    #[test]
    fn builder_quotes_values_and_flattens_comments() {
        let mut s = Script::new(&["a\nb".into()]);
        s.var("X", "a'b");
        s.array("L", &["x y".into(), "$z".into()]);
        assert_eq!(
            s.finish(),
            "#!/usr/bin/env bash\n# a b\nreadonly X='a'\\''b'\nL=('x y' '$z')\n"
        );
    }

    #[test]
    #[should_panic(expected = "not a shell variable name")]
    fn builder_rejects_odd_variable_names() {
        Script::default().var("X; rm", "v");
    }
}
