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

use crate::ownership;
use crate::plan::{GroupPurpose, Plan};

mod front_door;
mod setup;
mod teardown;

pub use setup::setup_script;
pub use teardown::teardown_script;

/// A bash script under construction.
#[derive(Clone, Debug, Default)]
pub struct Script {
    text: String,
}

/// Single-quotes a value for bash: `it's` becomes `'it'\''s'`.
pub fn quote(value: &str) -> String {
    let mut out = String::with_capacity(value.len() + 2);
    push_quoted(&mut out, value);
    out
}

/// Appends [`quote`]`(value)` to `out`.
fn push_quoted(out: &mut String, value: &str) {
    out.push('\'');
    for (i, part) in value.split('\'').enumerate() {
        if i > 0 {
            out.push_str(r"'\''");
        }
        out.push_str(part);
    }
    out.push('\'');
}

/// A value as one shell word, quoted only when it needs it: `main` stays
/// `main`, `my branch` becomes `'my branch'` (for commands people read).
pub fn arg(value: &str) -> std::borrow::Cow<'_, str> {
    let plain = !value.is_empty()
        && value
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "_-./:@=+,%".contains(c));
    if plain {
        value.into()
    } else {
        quote(value).into()
    }
}

fn is_identifier(name: &str) -> bool {
    name.bytes()
        .next()
        .is_some_and(|b| b.is_ascii_uppercase() || b == b'_')
        && name
            .bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'_')
}

/// Whether `text` may hold a control character (U+0000–U+001F, U+007F–U+009F):
/// a quick byte test, true also for some other characters after U+007F.
fn may_hold_control(text: &str) -> bool {
    text.bytes().any(|b| b < 0x20 || b == 0x7f || b == 0xc2)
}

impl Script {
    /// Starts a script: the shebang, then the header as comments.
    pub fn new(header: &[String]) -> Script {
        // Room for the longest setup.sh, so the text is not copied as it grows.
        let mut text = String::with_capacity(64 * 1024);
        text.push_str("#!/usr/bin/env bash\n");
        let mut script = Script { text };
        for line in header {
            script.comment(line);
        }
        script
    }

    /// A comment line (line breaks inside become spaces).
    pub fn comment(&mut self, line: &str) {
        let line: std::borrow::Cow<'_, str> = if may_hold_control(line) {
            line.chars()
                .map(|c| if c.is_control() { ' ' } else { c })
                .collect()
        } else {
            line.into()
        };
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
        self.text.push_str("readonly ");
        self.text.push_str(name);
        self.text.push('=');
        push_quoted(&mut self.text, value);
        self.text.push('\n');
    }

    /// `NAME=('a' 'b')` (not readonly: bash 3.2 cannot mark arrays readonly).
    pub fn array(&mut self, name: &'static str, values: &[String]) {
        assert!(is_identifier(name), "{name} is not a shell variable name");
        self.text.push_str(name);
        self.text.push_str("=(");
        for (i, value) in values.iter().enumerate() {
            if i > 0 {
                self.text.push(' ');
            }
            push_quoted(&mut self.text, value);
        }
        self.text.push_str(")\n");
    }

    /// The finished text.
    pub fn finish(self) -> String {
        self.text
    }
}

/// The inputs both scripts share, as readonly variables: names, and the
/// ownership marks in each shape an API takes them ([`crate::ownership`]).
fn common_inputs(script: &mut Script, plan: &Plan, setup: bool) {
    let names = &plan.names;
    script.comment("Inputs, from keyless.json and the names Keyless derives from it.");
    script.var("ACCOUNT_ID", &names.account_id);
    script.var("REGION", &names.region);
    script.var("APP_NAME", &plan.app_name);
    script.var("OIDC_PROVIDER_ARN", &plan.oidc_provider.arn);
    script.var("DEPLOY_ROLE", &plan.deploy_role.name);
    script.var("EXECUTION_ROLE", &plan.execution_role.name);
    script.var("TASK_ROLE", &plan.task_role.name);
    script.var("ECR_REPOSITORY", &plan.repository.name);
    script.var("ECR_REPOSITORY_ARN", &plan.repository.arn);
    script.var("LOG_GROUP", &plan.log_group.name);
    script.var("CLUSTER", &plan.cluster.name);
    script.var("SERVICE", &plan.service.name);
    script.var("TASK_FAMILY", &plan.service.task_family);
    let service_group = plan.security_group(GroupPurpose::Service);
    if let Some(group) = service_group {
        script.var("SECURITY_GROUP_NAME", &group.name);
    }
    let network = &plan.network;
    if !network.uses_default_vpc() && (setup || service_group.is_some()) {
        script.array("SUBNETS", &network.subnets);
    }
    if !network.given_security_groups.is_empty() {
        script.array("SECURITY_GROUPS", &network.given_security_groups);
    }
    script.comment("Ownership marks: Keyless changes and deletes only what carries both tags.");
    script.var("MANAGED_BY", ownership::MANAGED_BY_VALUE);
    script.var("APP_TAG_KEY", ownership::APP_KEY);
    script.var(
        "IAM_OWNER_QUERY",
        &ownership::owner_query("Tags", "Key", "Value"),
    );
    script.var(
        "ECR_OWNER_QUERY",
        &ownership::owner_query("tags", "Key", "Value"),
    );
    script.var(
        "ECS_OWNER_QUERY",
        &ownership::owner_query("tags", "key", "value"),
    );
    script.var("LOGS_OWNER_QUERY", &ownership::owner_query_map("tags"));
    front_door::inputs(script, plan);
}

const PRELUDE: &str = r#"set -euo pipefail
# AWS CLI v2 pages output through `less` unless this is empty; v1 ignores it.
export AWS_PAGER=""
"#;

/// Functions both scripts use: output, the ownership test, and the lookups
/// that read a resource's ownership tags (each prints `MANAGED<TAB>APP`,
/// `None` for a missing tag, then what else the caller needs).
const FUNCTIONS: &str = r#"step() { printf '\n==> %s\n' "$*"; }
fail() { printf 'error: %s\n' "$*" >&2; exit 1; }

# has_word LIST WORD: whether WORD is one of the whitespace-separated words of LIST.
has_word() {
  case " $(printf '%s' "$1" | tr '\t\n' '  ') " in
    *" $2 "*) return 0 ;;
    *) return 1 ;;
  esac
}

# owner_of "MANAGED<TAB>APP...": "ours" when the tags mark this app's resources,
# else who the tags say created the resource.
owner_of() {
  local managed app
  IFS=$'\t' read -r managed app _ <<<"$1"
  if [ "$managed" = "$MANAGED_BY" ] && [ "$app" = "$APP_NAME" ]; then
    echo ours
  elif [ "$managed" = "$MANAGED_BY" ] && [ -n "$app" ] && [ "$app" != None ]; then
    echo "created by Keyless for the app $app"
  elif [ "$managed" = "$MANAGED_BY" ]; then
    echo "tagged managed-by=$MANAGED_BY but without $APP_TAG_KEY: an older Keyless or another tool"
  else
    echo "not created by Keyless"
  fi
}

# role_info NAME: tags, then the principals its trust policy names; fails when absent.
role_info() {
  aws iam get-role --role-name "$1" --output text \
    --query "Role.[$IAM_OWNER_QUERY,to_string(AssumeRolePolicyDocument.Statement[].Principal)]" 2>/dev/null
}

# repository_info: tags, then the number of images and of untagged images; fails when absent.
repository_info() {
  local tags
  tags="$(aws ecr list-tags-for-resource --region "$REGION" --resource-arn "$ECR_REPOSITORY_ARN" \
    --query "[$ECR_OWNER_QUERY]" --output text 2>/dev/null)" || return 1
  printf '%s\t%s\n' "$tags" "$(aws ecr describe-images --region "$REGION" --repository-name "$ECR_REPOSITORY" \
    --query '[length(imageDetails),length(imageDetails[?!imageTags])]' --output text)"
}

# log_group_info: tags, then retention in days (None: forever) and stored bytes; fails when absent.
log_group_info() {
  local found
  found="$(aws logs describe-log-groups --region "$REGION" --log-group-name-prefix "$LOG_GROUP" \
    --query 'logGroups[].[logGroupName,retentionInDays,storedBytes]' --output text \
    | awk -F '\t' -v name="$LOG_GROUP" '$1 == name { print $2 "\t" $3 }')"
  [ -n "$found" ] || return 1
  printf '%s\t%s\n' "$(aws logs list-tags-log-group --region "$REGION" --log-group-name "$LOG_GROUP" \
    --query "[$LOGS_OWNER_QUERY]" --output text)" "$found"
}

# cluster_info: tags, then the cluster's status (a lone None when there is no such cluster).
cluster_info() {
  aws ecs describe-clusters --region "$REGION" --clusters "$CLUSTER" --include TAGS \
    --query "clusters[0].[$ECS_OWNER_QUERY,status]" --output text
}

# service_info: tags, then the service's status and desired count (None when absent).
service_info() {
  aws ecs describe-services --region "$REGION" --cluster "$CLUSTER" --services "$SERVICE" --include TAGS \
    --query "services[0].[$ECS_OWNER_QUERY,status,desiredCount]" --output text 2>/dev/null || echo None
}

# service_status: ACTIVE, DRAINING, INACTIVE, or None when there is no such service.
service_status() {
  local status
  IFS=$'\t' read -r _ _ status _ <<<"$(service_info)"
  echo "${status:-None}"
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

# revision_tags REVISION: the tags of a task definition revision (or of the
# family's latest active one); fails when there is none.
revision_tags() {
  aws ecs describe-task-definition --region "$REGION" --task-definition "$1" --include TAGS \
    --query "[$ECS_OWNER_QUERY]" --output text 2>/dev/null
}

# family_revisions: the ARNs of the ACTIVE revisions of exactly $TASK_FAMILY
# (--family-prefix also lists longer families, such as APP-worker).
family_revisions() {
  local arn revision
  for arn in $(aws ecs list-task-definitions --region "$REGION" --family-prefix "$TASK_FAMILY" \
    --status ACTIVE --query 'taskDefinitionArns[]' --output text); do
    revision="${arn##*/}"
    if [ "${revision%:*}" = "$TASK_FAMILY" ]; then echo "$arn"; fi
  done
}

# other_services: the names of the cluster's services, other than $SERVICE, that
# are not deleted (INACTIVE services stay listed for a while).
other_services() {
  local names=() arn i
  for arn in $(aws ecs list-services --region "$REGION" --cluster "$CLUSTER" \
    --query 'serviceArns[]' --output text 2>/dev/null); do
    if [ "${arn##*/}" != "$SERVICE" ]; then names+=("${arn##*/}"); fi
  done
  for ((i = 0; i < ${#names[@]}; i += 10)); do
    aws ecs describe-services --region "$REGION" --cluster "$CLUSTER" --services "${names[@]:i:10}" \
      --query "services[?status!='INACTIVE'].serviceName" --output text | tr '\t' '\n'
  done
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

/// Looks up the security group named for the app in `vpc_id`: sets `sg_found`
/// (tags, then the group's id and its number of inbound rules) and `sg_id`
/// (`None` when there is no such group).
const FIND_SECURITY_GROUP: &str = r#"sg_found="$(aws ec2 describe-security-groups --region "$REGION" \
  --filters "Name=vpc-id,Values=$vpc_id" "Name=group-name,Values=$SECURITY_GROUP_NAME" \
  --query "SecurityGroups[0].[$IAM_OWNER_QUERY,GroupId,length(IpPermissions)]" --output text)"
IFS=$'\t' read -r _ _ sg_id _ <<<"$sg_found"
sg_id="${sg_id:-None}"
"#;

fn compact_json<T: serde::Serialize>(value: &T) -> String {
    serde_json::to_string(value).expect("plain data always serialises")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ValidConfig;

    #[test]
    fn arg_quotes_only_what_the_shell_would_split_or_expand() {
        assert_eq!(arg("main"), "main");
        assert_eq!(arg("/ecs/octo-app"), "/ecs/octo-app");
        assert_eq!(arg("feature/a+b@1"), "feature/a+b@1");
        for (raw, quoted) in [
            ("", "''"),
            ("my branch", "'my branch'"),
            ("it's", r"'it'\''s'"),
            ("$(id)", "'$(id)'"),
            ("$HOME", "'$HOME'"),
            ("a`id`", "'a`id`'"),
            ("a|b", "'a|b'"),
            ("a&b", "'a&b'"),
            ("a>b", "'a>b'"),
            ("a\\b", "'a\\b'"),
            ("a\nb", "'a\nb'"),
            ("{a,b}", "'{a,b}'"),
            ("a?", "'a?'"),
            ("[ab]", "'[ab]'"),
            ("a;b", "'a;b'"),
            ("*", "'*'"),
            ("~x", "'~x'"),
            ("a#b", "'a#b'"),
        ] {
            assert_eq!(arg(raw), quoted, "{raw}");
        }
    }

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

    /// Mutating AWS CLI verbs (the emulator tests record the requests themselves).
    const MUTATING: [&str; 10] = [
        "create-",
        "put-",
        "update-",
        "attach-",
        "delete-",
        "tag-",
        "register-",
        "authorize-",
        "revoke-",
        "add-client-id",
    ];

    fn aws_commands(text: &str) -> Vec<String> {
        // A command with its `\`-continued lines, as one string.
        text.replace("\\\n", " ")
            .lines()
            .filter(|line| line.trim_start().starts_with("aws ") || line.contains("$(aws "))
            .map(str::to_string)
            .collect()
    }

    fn configs() -> Vec<ValidConfig> {
        use crate::config::RawConfig;
        let spot = RawConfig {
            use_spot: "true".into(),
            ..RawConfig::example()
        };
        let load_balanced = RawConfig {
            ingress: "load_balancer".into(),
            domain_name: "app.example.com".into(),
            min_count: "1".into(),
            max_count: "3".into(),
            cpu_target_percent: "60".into(),
            ..RawConfig::example()
        };
        vec![
            RawConfig::example().validate().unwrap(),
            spot.validate().unwrap(),
            load_balanced.validate().unwrap(),
        ]
    }

    #[test]
    fn setup_changes_nothing_before_every_name_is_checked() {
        for config in configs() {
            let text = setup_script(&config, &crate::plan::plan(&config));
            let checks_end = text.find("\ntag_role() ").expect("the adoption functions");
            for command in aws_commands(&text[..checks_end]) {
                assert!(
                    !MUTATING
                        .iter()
                        .any(|verb| command.contains(&format!(" {verb}"))),
                    "a change before the ownership checks: {command}"
                );
            }
        }
    }

    #[test]
    fn everything_setup_creates_carries_the_ownership_tags() {
        for config in configs() {
            let creates: Vec<String> =
                aws_commands(&setup_script(&config, &crate::plan::plan(&config)))
                    .into_iter()
                    .filter(|c| {
                        (c.contains(" create-") || c.contains(" request-certificate"))
                            && !c.contains("create-tags")
                    })
                    .collect();
            assert!(creates.len() >= 7, "{creates:?}");
            for command in creates {
                assert!(
                    command.contains("--tags ") || command.contains("--tag-specifications "),
                    "created without ownership tags: {command}"
                );
            }
        }
    }

    #[test]
    fn teardown_deletes_only_what_the_lookups_found_to_be_ours() {
        for config in configs() {
            let text = teardown_script(&config, &crate::plan::plan(&config));
            let mut guard: Vec<&str> = Vec::new();
            for line in text.lines() {
                let line = line.trim_start();
                let one_line = line.ends_with("; fi") || line.ends_with("; done");
                let opens = ["if ", "for ", "until "]
                    .iter()
                    .any(|k| line.starts_with(k))
                    || line.ends_with("() {");
                if opens && !one_line {
                    guard.push(line);
                }
                if line.starts_with("fi") || line.starts_with("done") || line == "}" {
                    guard.pop();
                }
                let deletes = line.contains("aws ")
                    && ["update-service", "delete-", "deregister-", "detach-"]
                        .iter()
                        .any(|verb| line.contains(verb));
                if deletes && !line.starts_with('#') && !line.starts_with("echo") {
                    assert!(
                        guard.iter().any(|g| g.contains("_ours\" = true")
                            || g.contains("our_revisions")
                            || g.starts_with("delete_role()")
                            || g.contains("owner_of")),
                        "a deletion not guarded by an ownership check: {line}\n(inside {guard:?})"
                    );
                }
            }
        }
    }

    #[test]
    #[should_panic(expected = "not a shell variable name")]
    fn builder_rejects_odd_variable_names() {
        Script::default().var("X; rm", "v");
    }
}
