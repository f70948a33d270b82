//! The troubleshooter's entries: fixed text with `{placeholders}` (see
//! `Facts::var`), and for each entry a function that picks the sentences and
//! steps that fit the config. Nothing here is built per config but the values.
//!
//! Rules for the text: no `{` or `}` but placeholders (a test checks that
//! none is left after filling, for every fixture); every regional `aws` call
//! names `--region {region}`; `COMMIT_SHA`, `TASK_ARN`, `RECORD_NAME` and the
//! like, in capitals, are values only the user knows, said so in the step.

use super::{normalise, words, Entry, Facts, Step};
use crate::config::Tls;

/// One entry before it is filled in.
pub(super) struct Spec {
    pub id: &'static str,
    pub title: &'static str,
    pub errors: &'static [&'static str],
    /// More words the search should know the entry by.
    pub keywords: &'static str,
    pub see_also: &'static [&'static str],
    pub text: fn(&Facts) -> Text,
}

/// The parts of an entry chosen for a config.
pub(super) struct Text {
    pub applies: bool,
    /// Sentences, joined with a space.
    cause: Vec<&'static str>,
    /// `(text, code)`; an empty code is none.
    fix: Vec<(&'static str, &'static str)>,
}

impl Spec {
    pub fn render(&self, facts: &Facts) -> Entry {
        self.fill(facts, (self.text)(facts))
    }

    /// The entry of the parts chosen for the config, filled in.
    pub fn fill(&self, facts: &Facts, text: Text) -> Entry {
        Entry {
            id: self.id,
            title: self.title,
            errors: self.errors,
            applies: text.applies,
            cause: facts.fill(&text.cause.join(" ")),
            fix: text
                .fix
                .iter()
                .map(|(say, code)| Step {
                    text: facts.fill(say),
                    code: (!code.is_empty()).then(|| facts.fill(code)),
                })
                .collect(),
            see_also: self.see_also,
        }
    }

    /// The words the search knows the entry by: its title, error texts and keywords.
    pub fn vocabulary(&self) -> Vec<String> {
        let mut all: Vec<String> = [self.title, self.keywords]
            .into_iter()
            .chain(self.errors.iter().copied())
            .flat_map(|text| words(&normalise(text)).collect::<Vec<_>>())
            .collect();
        all.sort();
        all.dedup();
        all
    }
}

fn applies(cause: Vec<&'static str>, fix: Vec<(&'static str, &'static str)>) -> Text {
    Text {
        applies: true,
        cause,
        fix,
    }
}

fn does_not_apply(cause: Vec<&'static str>, fix: Vec<(&'static str, &'static str)>) -> Text {
    Text {
        applies: false,
        cause,
        fix,
    }
}

const REGENERATE: &str = "keyless generate --config keyless.json --out .";
const RUN_SETUP: &str = "bash {setup}";
const STOPPED_TASKS: &str = "aws ecs describe-tasks --region {region} --cluster {cluster} --tasks $(aws ecs list-tasks --region {region} --cluster {cluster} --service-name {service} --desired-status STOPPED --query 'taskArns[:5]' --output text) --query 'tasks[].[stoppedAt,stoppedReason,containers[0].reason,containers[0].exitCode]' --output text";
const SERVICE_EVENTS: &str = "aws ecs describe-services --region {region} --cluster {cluster} --services {service} --query 'services[0].events[:10].[createdAt,message]' --output text";
const TARGET_HEALTH: &str = "aws elbv2 describe-target-health --region {region} --target-group-arn \"$(aws elbv2 describe-target-groups --region {region} --names {load_balancer} --query 'TargetGroups[0].TargetGroupArn' --output text)\" --query 'TargetHealthDescriptions[].[Target.Id,TargetHealth.State,TargetHealth.Reason,TargetHealth.Description]' --output text";
const LOGS_TAIL: &str = "aws logs tail {log_group} --region {region} --since 1h";
const PUT_DEPLOY_POLICY: &str = "aws iam put-role-policy --role-name {deploy_role} --policy-name {deploy_policy} --policy-document file://{permissions_policy}";
const LB_DNS_NAME: &str = "aws elbv2 describe-load-balancers --region {region} --names {load_balancer} --query 'LoadBalancers[0].DNSName' --output text";

/// Every entry, in the order a deploy meets the errors.
pub(super) const SPECS: &[Spec] = &[
    // Credentials.
    Spec {
        id: "oidc-no-token",
        title: "No OIDC token: credentials could not be loaded",
        errors: &[
            "Could not load credentials from any providers",
            "Credentials could not be loaded",
            "Unable to get ACTIONS_ID_TOKEN_REQUEST_URL",
            "Did you mean to set the `id-token` permission",
        ],
        keywords: "oidc token permission id-token write fork pull request configure-aws-credentials",
        see_also: &["oidc-not-authorized"],
        text: |_| {
            applies(
                vec![
                    "GitHub gives a job an OIDC token only when the job may ask for one (permissions: id-token: write), and never to a pull request from a fork.",
                    "The generated {workflow} grants it to its deploy job, so the job that failed lacks it: the workflow was edited (a permissions: block without id-token: write, which takes away every permission it does not name, or another job that configures AWS credentials), or the run is a fork's pull request.",
                ],
                vec![
                    ("Give the job that runs configure-aws-credentials the permissions the generated deploy job has:", "permissions:\n  contents: read\n  id-token: write"),
                    ("Or bring back the generated workflow (keyless generate overwrites only files it wrote; --force overwrites the others):", REGENERATE),
                    ("A fork's pull request gets no token at all: deploy from pushes to {branch} and manual runs on it only, as the generated triggers do.", ""),
                ],
            )
        },
    },
    Spec {
        id: "oidc-not-authorized",
        title: "Not authorized to perform sts:AssumeRoleWithWebIdentity",
        errors: &[
            "Not authorized to perform sts:AssumeRoleWithWebIdentity",
            "Could not assume role with OIDC",
            "AssumeRoleWithWebIdentity",
        ],
        keywords: "oidc trust policy sub subject branch environment tag immutable legacy denied access role",
        see_also: &["oidc-no-provider", "oidc-audience", "oidc-no-token"],
        text: |f| {
            let mut cause = vec![
                "The deploy role {deploy_role} refused the run's OIDC token: its trust policy accepts only the sub {subjects}, which GitHub sends for",
            ];
            cause.extend(if f.config.environment.is_some() {
                [
                    "a job that declares environment: {environment}, from any branch the environment allows.",
                    "A job without that environment (or with another one), or a run of another repository, sends another sub.",
                ]
            } else {
                [
                    "a push to {branch} or a manual run on it, from a job without environment:.",
                    "A run from another branch, a tag or a pull request, a job that declares an environment (which then replaces the ref in the sub), or a run of another repository sends another sub.",
                ]
            });
            cause.push(match f.config.subject_format {
                crate::config::SubjectFormat::Legacy => "If the repository was created, renamed or transferred after 2026-07-15, or opted in, GitHub sends the immutable form repo:{owner}@OWNER_ID/{repo_name}@REPO_ID:…, which this policy does not accept: set subject_format to both in keyless.json (with github_owner_id and github_repo_id), regenerate and run setup.sh again.",
                crate::config::SubjectFormat::Immutable { .. } => "The policy accepts only the immutable form (repo:OWNER@OWNER_ID/REPO@REPO_ID:…): a repository that has not switched still sends repo:{repository}:…; check it with the gh command below, and trust both forms (subject_format both) while it switches.",
                crate::config::SubjectFormat::Both { .. } => "The policy accepts both subject forms, so the form is not the cause.",
            });
            applies(
                cause,
                vec![
                    ("Ask keyless what a run sends and which condition refuses it: describe the failing run with --event, --ref and --environment (as written, the generated run, which is let in):", "keyless check-run --config keyless.json --event push --ref {branch_ref}"),
                    ("Check the trust policy the role has in AWS now, rather than the generated file (a hand edit, or setup.sh not run again after keyless.json changed):", "aws iam get-role --role-name {deploy_role} --output json > deploy-role.json\nkeyless check-run --config keyless.json --event push --policy deploy-role.json"),
                    ("See which subject form the repository emits (use_immutable_subject):", "gh api repos/{repository}/actions/oidc/customization/sub"),
                    ("Put the generated trust policy back (setup.sh does the same):", "aws iam update-assume-role-policy --role-name {deploy_role} --policy-document file://{trust_policy}"),
                    ("To deploy from another branch or environment, change branch or environment in keyless.json and regenerate: the workflow and the trust policy change together. The workflow's role-to-assume must stay {deploy_role_arn}.", ""),
                ],
            )
        },
    },
    Spec {
        id: "oidc-no-provider",
        title: "No OpenIDConnect provider found in your account",
        errors: &[
            "No OpenIDConnect provider found in your account",
            "InvalidIdentityToken",
            "Could not assume role with OIDC",
        ],
        keywords: "oidc identity provider missing account",
        see_also: &["oidc-not-authorized"],
        text: |_| {
            applies(
                vec![
                    "The deploy role {deploy_role} trusts GitHub through the OIDC provider {oidc_provider_arn}, and account {account} has none:",
                    "{setup} has not run in this account (it creates the provider before the role), the provider was deleted (teardown.sh --delete-oidc-provider, or by hand), or the workflow's role-to-assume names a role in another account.",
                ],
                vec![
                    ("Check which account your credentials are in, and its providers:", "aws sts get-caller-identity --query Account --output text\naws iam list-open-id-connect-providers"),
                    ("Run the setup again: it creates the provider when it is missing and re-applies the role's trust policy:", RUN_SETUP),
                    ("Or create the provider by hand (no thumbprint: AWS no longer uses them for GitHub):", "aws iam create-open-id-connect-provider --url https://token.actions.githubusercontent.com --client-id-list sts.amazonaws.com"),
                    ("In {workflow}, role-to-assume must be {deploy_role_arn} and allowed-account-ids {account}.", ""),
                ],
            )
        },
    },
    Spec {
        id: "oidc-audience",
        title: "Incorrect token audience",
        errors: &[
            "Incorrect token audience",
            "InvalidIdentityToken",
            "Could not assume role with OIDC",
        ],
        keywords: "oidc aud audience client id sts.amazonaws.com provider",
        see_also: &["oidc-no-provider"],
        text: |_| {
            applies(
                vec![
                    "The token's aud must be sts.amazonaws.com, one of the client ids of the provider {oidc_provider_arn}, and the value the trust policy's aud condition names.",
                    "The generated workflow leaves configure-aws-credentials' audience input at its default, sts.amazonaws.com: so the provider was created without that client id (by hand or by another tool), or the workflow now sets audience: to something else.",
                ],
                vec![
                    ("See the provider's client ids:", "aws iam get-open-id-connect-provider --open-id-connect-provider-arn {oidc_provider_arn} --query ClientIDList --output text"),
                    ("Add sts.amazonaws.com to them (setup.sh does the same):", "aws iam add-client-id-to-open-id-connect-provider --open-id-connect-provider-arn {oidc_provider_arn} --client-id sts.amazonaws.com"),
                    ("Remove any audience: input from the configure-aws-credentials step of {workflow}.", ""),
                ],
            )
        },
    },
    // The image.
    Spec {
        id: "ecr-registry-ids",
        title: "amazon-ecr-login: registryIds failed to satisfy constraint",
        errors: &[
            "registryIds",
            "at 'registryIds' failed to satisfy constraint",
            "Member must have length greater than or equal to 12",
        ],
        keywords: "ecr login account id digits leading zero yaml quote registries",
        see_also: &[],
        text: |f| {
            applies(
                vec![
                    if f.config.account_id.starts_with('0') {
                        "ECR account ids have exactly 12 digits, and yours, {account}, starts with 0: written unquoted in YAML (registries:, allowed-account-ids:) it is read as a number and loses its leading zeros."
                    } else {
                        "ECR account ids have exactly 12 digits, and amazon-ecr-login was given another value: its registries: input holds a typo, or an unquoted YAML number that lost its leading zeros."
                    },
                    "The generated workflow passes no registries: at all (the login is to the credentials' own account, {account}) and quotes every value.",
                ],
                vec![
                    ("Remove the registries: input from the Log in to Amazon ECR step, or quote it:", "registries: \"{account}\""),
                    ("Quote allowed-account-ids in the credentials step the same way:", "allowed-account-ids: \"{account}\""),
                ],
            )
        },
    },
    Spec {
        id: "ecr-repository-missing",
        title: "The ECR repository does not exist",
        errors: &[
            "does not exist in the registry with id",
            "RepositoryNotFoundException",
            "name unknown",
        ],
        keywords: "ecr repository push missing not found",
        see_also: &["service-missing"],
        text: |_| {
            applies(
                vec![
                    "The workflow pushes to {image}, which {setup} creates in {region}.",
                    "It is not there: setup.sh has not run, or failed before its ECR step; the repository was deleted (teardown.sh); or the push went to another account or region than {account} and {region}.",
                ],
                vec![
                    ("Look for it:", "aws ecr describe-repositories --region {region} --repository-names {ecr_repository}"),
                    ("Create it, with everything else that is missing:", RUN_SETUP),
                ],
            )
        },
    },
    Spec {
        id: "ecr-tag-exists",
        title: "ImageTagAlreadyExistsException: the tag is already in the repository",
        errors: &[
            "ImageTagAlreadyExistsException",
            "cannot be overwritten because the repository is immutable",
            "tag invalid",
        ],
        keywords: "ecr immutable tag push rerun sha latest",
        see_also: &[],
        text: |_| {
            applies(
                vec![
                    "{ecr_repository} has immutable tags, so a deployed image never changes under its tag, and the workflow tags each image with its commit's SHA: each commit's image can be pushed once.",
                    "Re-running a run whose push already succeeded builds again, and a rebuild is rarely byte-identical, so ECR refuses it; pushing latest or any other reused tag fails the same way.",
                ],
                vec![
                    ("See whether the commit's image is already there (COMMIT_SHA: the run's full commit SHA):", "aws ecr describe-images --region {region} --repository-name {ecr_repository} --image-ids imageTag=COMMIT_SHA"),
                    ("Deploy again with a new commit rather than a re-run:", "git commit --allow-empty -m \"Redeploy {service}\"\ngit push origin {branch}"),
                    ("Keep the build step's tags: as generated (the commit SHA); never push latest to {ecr_repository}.", ""),
                ],
            )
        },
    },
    Spec {
        id: "ecr-cache-400",
        title: "ECR build cache: 400 Bad Request when writing the cache manifest",
        errors: &[
            "error writing manifest blob",
            "unexpected status from PUT request",
            "400 Bad Request",
        ],
        keywords: "buildx cache cache-to registry manifest oci docker build push",
        see_also: &["ecr-tag-exists"],
        text: |_| {
            applies(
                vec![
                    "ECR refused a BuildKit cache: a registry cache (cache-to: type=registry) writes an image index that ECR takes only as an OCI image manifest.",
                    "The generated workflow has no cache; one written to {ecr_repository} would also fail from its second run, since that repository's tags are immutable.",
                ],
                vec![
                    ("Use GitHub's cache instead, in the build step's with: block:", "cache-from: type=gha\ncache-to: type=gha,mode=max"),
                    ("Or keep a registry cache in a repository of its own with mutable tags, written as an OCI image manifest (create the repository and add it to the ECR statement of {permissions_policy}):", "cache-from: type=registry,ref={registry}/{ecr_repository}-cache:buildcache\ncache-to: type=registry,ref={registry}/{ecr_repository}-cache:buildcache,mode=max,image-manifest=true,oci-mediatypes=true"),
                ],
            )
        },
    },
    // Registration and deploy.
    Spec {
        id: "render-container-name",
        title: "Could not find container definition with matching name",
        errors: &[
            "Could not find container definition with matching name",
            "Invalid task definition",
        ],
        keywords: "render task definition container-name",
        see_also: &[],
        text: |_| {
            applies(
                vec![
                    "The render step looks up its container-name in {task_definition}, and Keyless writes both as {container}.",
                    "One was renamed by hand, or app_name changed in keyless.json and only one of the two files was regenerated.",
                ],
                vec![
                    ("The container's name in the file must be {container}:", "jq -r '.containerDefinitions[].name' {task_definition}"),
                    ("And the render step in {workflow} must say:", "container-name: \"{container}\""),
                    ("Regenerate both from keyless.json so they agree:", REGENERATE),
                ],
            )
        },
    },
    Spec {
        id: "register-unexpected-key",
        title: "Unexpected key found in params: the task definition is a describe output",
        errors: &[
            "found in params",
            "Unexpected key",
            "Unknown parameter in input",
            "Failed to register task definition in ECS",
        ],
        keywords: "register task definition describe export json taskDefinitionArn revision status",
        see_also: &[],
        text: |_| {
            applies(
                vec![
                    "{task_definition} holds keys that RegisterTaskDefinition refuses: it was replaced with what aws ecs describe-task-definition (or the console's JSON view) prints, which wraps everything in taskDefinition and adds the describe-only keys {describe_only_keys}.",
                    "The generated file has none of them.",
                ],
                vec![
                    ("Bring back the generated file:", REGENERATE),
                    ("Or strip an exported file down to what registration takes:", "jq '(.taskDefinition // .) | {jq_del}' exported.json > {task_definition}"),
                ],
            )
        },
    },
    Spec {
        id: "deploy-pass-role",
        title: "Not authorized to perform iam:PassRole",
        errors: &[
            "not authorized to perform: iam:PassRole",
            "iam:PassRole",
            "Failed to register task definition in ECS",
        ],
        keywords: "deploy role permission pass execution task role register",
        see_also: &["deploy-tag-resource"],
        text: |_| {
            applies(
                vec![
                    "The deploy role {deploy_role} may pass exactly two roles, {execution_role_arn} and {task_role_arn}, and only to ecs-tasks.amazonaws.com.",
                    "The task definition it registered names another role (executionRoleArn or taskRoleArn edited, or a file from another app), or the role's policy {deploy_policy} is missing or older than keyless.json.",
                ],
                vec![
                    ("The file must name exactly these two roles:", "jq -r '.executionRoleArn, .taskRoleArn' {task_definition}"),
                    ("Re-apply the deploy role's policy (setup.sh does the same):", PUT_DEPLOY_POLICY),
                    ("If the app needs AWS permissions, give them to {task_role} rather than naming another role.", ""),
                ],
            )
        },
    },
    Spec {
        id: "deploy-tag-resource",
        title: "Not authorized to perform ecs:TagResource",
        errors: &[
            "not authorized to perform: ecs:TagResource",
            "ecs:TagResource",
            "Failed to register task definition in ECS",
        ],
        keywords: "deploy role permission tags task definition family register",
        see_also: &["deploy-pass-role"],
        text: |_| {
            applies(
                vec![
                    "Every revision of the task definition carries Keyless's ownership tags, so registering one needs ecs:TagResource, which {deploy_role} has on {family_arn} only.",
                    "The file's family is not {family} (edited, or app_name changed without regenerating), or the role's policy {deploy_policy} predates the tags.",
                ],
                vec![
                    ("The family must be {family}:", "jq -r .family {task_definition}"),
                    ("Re-apply the deploy role's policy (setup.sh does the same):", PUT_DEPLOY_POLICY),
                ],
            )
        },
    },
    Spec {
        id: "service-missing",
        title: "The cluster or service does not exist (MISSING, INACTIVE)",
        errors: &[
            "is MISSING",
            "ServiceNotFoundException",
            "ClusterNotFoundException",
            "ServiceNotActiveException",
            "Service is INACTIVE",
            "Service is DRAINING",
            "Service was not ACTIVE",
        ],
        keywords: "ecs cluster service missing deleted inactive",
        see_also: &["certificate-pending"],
        text: |f| {
            let mut cause = vec![
                "The workflow updates the service {service} of the cluster {cluster} in {region}; {setup} creates both.",
                "This one is not there: setup.sh has not run, or stopped early; it was deleted (teardown.sh); or it is still being deleted.",
            ];
            if f.tls().requested_domain().is_some() {
                cause.push("With domain_name, setup.sh stops before the service while the certificate for {domain} waits for its DNS record.");
            }
            applies(
                cause,
                vec![
                    ("Look it up:", "aws ecs describe-services --region {region} --cluster {cluster} --services {service} --query 'services[0].status' --output text"),
                    ("Create what is missing (the service starts with 0 tasks; the next push deploys):", RUN_SETUP),
                ],
            )
        },
    },
    // The task's start.
    Spec {
        id: "image-platform",
        title: "CannotPullContainerError: the image is built for another platform",
        errors: &[
            "does not contain descriptor matching platform",
            "exec format error",
            "CannotPullContainerError",
            "pull image manifest has been retried",
        ],
        keywords: "architecture arm64 amd64 x86 graviton platform buildx manifest",
        see_also: &["image-pull"],
        text: |_| {
            applies(
                vec![
                    "Tasks run on {architecture} ({platform}), and this image was built for another platform: the build step's platforms: was changed, the image was built and pushed from another machine (Apple silicon builds linux/arm64), or architecture changed in keyless.json and the workflow was not regenerated.",
                    "exec format error is the same mismatch, found when the container starts.",
                ],
                vec![
                    ("See the image's platforms (COMMIT_SHA: the deployed commit):", "aws ecr get-login-password --region {region} | docker login --username AWS --password-stdin {registry}\ndocker buildx imagetools inspect {image}:COMMIT_SHA"),
                    ("The build step in {workflow} must build for the task's platform:", "platforms: \"{platform}\""),
                    ("After changing architecture, regenerate the workflow and the task definition together:", REGENERATE),
                ],
            )
        },
    },
    Spec {
        id: "image-pull",
        title: "CannotPullContainerError: the task cannot pull its image",
        errors: &[
            "CannotPullContainerError",
            "pull image manifest has been retried",
            "failed to resolve ref",
            "awaiting-first-deploy",
            "unable to retrieve ecr registry auth",
            "unable to pull secrets or registry auth",
            "execution resource retrieval failed",
            "ResourceInitializationError",
            "pull command failed",
            "i/o timeout",
            "Please check your task network configuration",
        ],
        keywords: "image pull ecr network timeout nat public ip subnet tag not found",
        see_also: &["image-platform", "secrets"],
        text: |f| {
            let mut cause = Vec::new();
            if !f.config.assign_public_ip {
                cause.push("The tasks have no public IP (assign_public_ip is false), so they reach ECR only through a NAT gateway or VPC endpoints of their subnets ({subnets}); without either, every pull times out (i/o timeout, context deadline exceeded).");
            }
            cause.push("When the tag is not found: revision 1 of the task definition {family} names {bootstrap_image}, which is never pushed (setup.sh starts the service with 0 tasks and the first push deploys a real image), so a task started before the first deploy cannot pull it. Later, an image can be gone because the repository's lifecycle policy keeps the newest {keep_images} only.");
            if f.config.assign_public_ip {
                cause.push("A timeout despite the public IP means the route table of the subnets ({subnets}) has no default route to an internet gateway.");
            }
            let mut fix = vec![
                ("See why the last tasks stopped:", STOPPED_TASKS),
                ("List the newest images in {ecr_repository}:", "aws ecr describe-images --region {region} --repository-name {ecr_repository} --query 'sort_by(imageDetails,&imagePushedAt)[-5:].[imagePushedAt,imageTags[0]]' --output text"),
                ("Before the first deploy, leave the service at 0 tasks and push to {branch}: the workflow builds the image and starts the tasks.", ""),
            ];
            if !f.config.assign_public_ip {
                fix.push(("Give the tasks a way out: a NAT gateway, or VPC endpoints for ecr.api, ecr.dkr and logs (interface) and s3 (gateway), in their subnets; or public subnets with assign_public_ip true (setup.sh leaves an existing service's network alone: teardown.sh, then setup.sh).", ""));
            }
            applies(cause, fix)
        },
    },
    Spec {
        id: "secrets",
        title: "ResourceInitializationError: unable to pull secrets",
        errors: &[
            "unable to retrieve secret from asm",
            "unable to retrieve secrets from ssm",
            "invalid ssm parameters",
            "secretsmanager:GetSecretValue",
            "ssm:GetParameters",
            "kms:Decrypt",
            "Secrets Manager can't find the specified secret",
            "ParameterNotFound",
            "unable to pull secrets or registry auth",
            "execution resource retrieval failed",
            "ResourceInitializationError",
        ],
        keywords: "secret ssm parameter store secrets manager execution role kms",
        see_also: &["image-pull"],
        text: |f| {
            if f.config.secrets.is_empty() {
                return does_not_apply(
                    vec![
                        "keyless.json has no secrets, so the generated task definition reads none and {execution_role} may read none: the task definition that failed is not the generated one (secrets added to {task_definition} by hand).",
                        "Put them in keyless.json's secrets instead (an SSM parameter name or ARN, or a Secrets Manager secret ARN): the execution role then gets exactly those ARNs.",
                    ],
                    vec![("Regenerate, run the setup (it writes the execution role's policy), then commit and push:", "keyless generate --config keyless.json --out .\nbash {setup}")],
                );
            }
            applies(
                vec![
                    "When a task starts, ECS reads its secrets ({secret_names}) with the execution role {execution_role}, whose policy {secrets_policy} allows exactly {secret_arns}.",
                    "It fails when a parameter or secret does not exist under that name in {region} (invalid ssm parameters, ResourceNotFoundException); when the policy was not applied (setup.sh not run again after secrets changed in keyless.json); when a secret is encrypted with a customer managed KMS key, which needs kms:Decrypt (not granted by Keyless); or when the task cannot reach SSM or Secrets Manager (i/o timeout: no public IP and no NAT).",
                ],
                vec![
                    ("Check that each one exists in {region} (get-parameters prints the missing parameters; describe-secret prints a secret's name and KMS key, if any):", "{secret_checks}"),
                    ("Re-apply the execution role's policy for exactly these ARNs:", RUN_SETUP),
                    ("See the policy the role has now:", "aws iam get-role-policy --role-name {execution_role} --policy-name {secrets_policy} --query PolicyDocument"),
                    ("A customer managed KMS key: allow {execution_role_arn} kms:Decrypt in the key's policy.", ""),
                ],
            )
        },
    },
    Spec {
        id: "log-group",
        title: "ResourceInitializationError: failed to validate logger args (log group)",
        errors: &[
            "failed to validate logger args",
            "failed to create Cloudwatch log stream",
            "The specified log group does not exist",
            "create stream has been retried",
            "logs:CreateLogStream",
            "ResourceInitializationError",
        ],
        keywords: "cloudwatch logs awslogs log group stream execution role",
        see_also: &[],
        text: |_| {
            applies(
                vec![
                    "The container logs to {log_group} in {region} through awslogs. {setup} creates that group (ECS may not: the task definition has no awslogs-create-group), and the execution role {execution_role} writes to it through AmazonECSTaskExecutionRolePolicy.",
                    "The group was deleted, the task definition names another group or region, or the managed policy was detached from the role.",
                ],
                vec![
                    ("Look for the group:", "aws logs describe-log-groups --region {region} --log-group-name-prefix {log_group} --query 'logGroups[].logGroupName' --output text"),
                    ("Create it again, tagged, with its {retention}-day retention (and re-attach the role's policy):", RUN_SETUP),
                    ("Check the execution role's managed policy:", "aws iam list-attached-role-policies --role-name {execution_role} --query 'AttachedPolicies[].PolicyArn' --output text"),
                ],
            )
        },
    },
    Spec {
        id: "container-exits",
        title: "Essential container in task exited",
        errors: &[
            "Essential container in task exited",
            "OutOfMemoryError",
            "Container killed due to memory usage",
            "CannotStartContainerError",
            "executable file not found",
        ],
        keywords: "crash exit code memory oom start command entrypoint logs",
        see_also: &["deploy-not-stable"],
        text: |_| {
            applies(
                vec![
                    "The container started, then stopped; why is in its logs ({log_group}, streams ecs/{container}/TASK_ID).",
                    "Usual causes: a variable or secret the app needs is missing, it cannot reach its database, its command is not in the image (executable file not found), or it ran out of memory (OutOfMemoryError): the task has {memory} MiB.",
                ],
                vec![
                    ("Read the last hour of the app's logs (AWS CLI v2):", LOGS_TAIL),
                    ("See the stop reasons and exit codes of the last tasks:", STOPPED_TASKS),
                    ("Run the image as Fargate does, same platform and port (COMMIT_SHA: the deployed commit):", "aws ecr get-login-password --region {region} | docker login --username AWS --password-stdin {registry}\ndocker run --rm --platform {platform} -p {port}:{port} {image}:COMMIT_SHA"),
                    ("Out of memory: raise memory in keyless.json (Fargate pairs it with the CPU, {cpu} units now), regenerate, commit and push: the next deploy uses the new size.", ""),
                ],
            )
        },
    },
    // Health checks.
    Spec {
        id: "container-health-check",
        title: "Task failed container health checks",
        errors: &[
            "failed container health checks",
            "Task failed container health checks",
        ],
        keywords: "health check unhealthy container curl wget command",
        see_also: &["deploy-not-stable"],
        text: |f| {
            if f.config.container_health_check().is_none() {
                return does_not_apply(
                    vec![
                        "keyless.json has no health_check_command, so the generated task definition has no container health check: the one that failed was edited by hand or comes from elsewhere.",
                        "Set health_check_command in keyless.json instead (or remove healthCheck from {task_definition}).",
                    ],
                    vec![("Regenerate the task definition, then commit and push:", REGENERATE)],
                );
            }
            applies(
                vec![
                    "ECS runs {health_check_command} inside the container every 30 s (5 s per try); 3 failures in a row, counted from {start_period} s after the start, make the task unhealthy and it is replaced.",
                    "Usually the command itself fails: the tool it calls is not in the image (slim, alpine and distroless images have no curl; distroless has no shell for CMD-SHELL), it asks another port or path than the app serves (the app listens on {port}), or the app needs more than {start_period} s to start.",
                ],
                vec![
                    ("Check that the image has a shell and the tool (COMMIT_SHA: the deployed commit):", "aws ecr get-login-password --region {region} | docker login --username AWS --password-stdin {registry}\ndocker run --rm --entrypoint sh {image}:COMMIT_SHA -c 'command -v curl wget'"),
                    ("Run the check against the app, inside its container:", "docker run -d --name {container}-check -p {port}:{port} {image}:COMMIT_SHA\ndocker exec {container}-check sh -c {health_check_command_quoted}; echo \"exit status $?\"\ndocker rm -f {container}-check"),
                    ("Change health_check_command in keyless.json (without curl: wget -q -O /dev/null http://localhost:{port}/ || exit 1), regenerate, commit and push.", REGENERATE),
                ],
            )
        },
    },
    Spec {
        id: "target-health-check",
        title: "Task failed ELB health checks (target group)",
        errors: &[
            "failed ELB health checks",
            "is unhealthy in (target-group",
            "Health checks failed with these codes",
            "Target.ResponseCodeMismatch",
            "Target.Timeout",
            "Target.FailedHealthChecks",
        ],
        keywords: "load balancer alb target group health check path port unhealthy security group localhost 0.0.0.0",
        see_also: &["deploy-not-stable", "alb-5xx"],
        text: |f| {
            if f.load_balancer().is_none() {
                return does_not_apply(
                    vec![
                        "keyless.json has no load balancer (ingress is public_ip), so the generated service is in no target group.",
                        "A load balancer added by hand fails its checks for the same reasons as Keyless's: the path, the port {port}, an app listening on 127.0.0.1 only, or a security group. With ingress load_balancer in keyless.json, setup.sh builds one and sets its checks.",
                    ],
                    vec![("Set ingress to load_balancer (and health_check_path) in keyless.json, then:", "keyless generate --config keyless.json --out .\nbash {setup}")],
                );
            }
            applies(
                vec![
                    "The load balancer sends GET {health_check_path} to port {port} of each task every 10 s and wants a 2xx or 3xx within 5 s; after 3 failures ECS replaces the task (no sooner than 60 s after its start).",
                    "Codes in the message mean the app answered: 404, nothing at {health_check_path}; 401 or 403, the path needs a login; 5xx, the app fails.",
                    "A timeout means it did not: it listens on another port than {port}, or only on 127.0.0.1 or localhost (it must listen on 0.0.0.0), or the security group {service_security_group} no longer lets the load balancer's group {lb_security_group} in on {port}.",
                ],
                vec![
                    ("See each target's state and reason:", TARGET_HEALTH),
                    ("Ask the path as the load balancer does, from outside the container (COMMIT_SHA: the deployed commit):", "aws ecr get-login-password --region {region} | docker login --username AWS --password-stdin {registry}\ndocker run -d --name {container}-check -p {port}:{port} {image}:COMMIT_SHA\ncurl -i http://localhost:{port}{health_check_path}\ndocker rm -f {container}-check"),
                    ("The app must listen on 0.0.0.0:{port}, all interfaces: many frameworks' development servers listen on localhost only.", ""),
                    ("Another path answers 2xx without a login? Set health_check_path in keyless.json and run the setup: it re-applies the check to the target group.", RUN_SETUP),
                    ("Check that {service_security_group} lets the load balancer's group in on {port} (the first command must print {port} and the id the second prints; setup.sh restores it):", "aws ec2 describe-security-groups --region {region} --filters Name=group-name,Values={service_security_group} --query 'SecurityGroups[].IpPermissions[].[FromPort,UserIdGroupPairs[0].GroupId]' --output text\naws ec2 describe-security-groups --region {region} --filters Name=group-name,Values={lb_security_group} --query 'SecurityGroups[].GroupId' --output text"),
                ],
            )
        },
    },
    Spec {
        id: "deploy-not-stable",
        title: "The deploy waits for stability, then fails (servicesStable)",
        errors: &[
            "Resource is not in the state servicesStable",
            "Waiter has timed out",
            "Waiter ServicesStable failed",
            "Max attempts exceeded",
            "servicesStable",
            "Deployment Circuit Breaker was triggered",
            "deployment failed: tasks failed to start",
            "rolling back to deployment",
        ],
        keywords: "deploy stuck waiting stable stability timeout circuit breaker rollback tasks keep stopping",
        see_also: &["container-exits", "image-pull", "target-health-check", "container-health-check"],
        text: |f| {
            let mut cause = vec![
                "The deploy step waits up to {wait_minutes} minutes for {service} to run its desired count of new tasks, healthy; they kept stopping instead, and the circuit breaker rolls the service back to the last revision that worked.",
            ];
            if f.load_balancer().is_some() {
                cause.push("Each new task must also pass the load balancer's check, GET {health_check_path} on port {port}.");
            }
            if f.config.container_health_check().is_some() {
                cause.push("And its container health check, {health_check_command}.");
            }
            if f.config.use_spot {
                cause.push("On Fargate Spot, new tasks can also wait for capacity (the events then say so).");
            }
            cause.push("The wait is the symptom: the service's events and the stopped tasks' reasons say why, and each has its own entry here.");
            applies(
                cause,
                vec![
                    ("Read the service's latest events:", SERVICE_EVENTS),
                    ("See why its last tasks stopped (stopped tasks stay listed for about an hour):", STOPPED_TASKS),
                    ("Read the app's logs (AWS CLI v2):", LOGS_TAIL),
                    ("Paste what they say here: the matching entry has the cause and the fix.", ""),
                ],
            )
        },
    },
    // The load balancer.
    Spec {
        id: "certificate-pending",
        title: "The certificate stays in PENDING_VALIDATION",
        errors: &[
            "PENDING_VALIDATION",
            "Pending validation",
            "waits for its DNS validation",
            "VALIDATION_TIMED_OUT",
            "UnsupportedCertificate",
        ],
        keywords: "acm certificate https tls dns validation cname record route 53 zone caa",
        see_also: &["dns-not-pointing", "service-missing"],
        text: |f| match f.tls() {
            Tls::RequestFor(_) => applies(
                vec![
                    "ACM issues the certificate for {domain} once it finds the CNAME record setup.sh printed, in the DNS zone that actually answers for {domain}; until then setup.sh stops before the listeners and the service.",
                    "Usual mistakes: the record went into a zone that does not serve the name (a second hosted zone of the same name, a private zone, the registrar's DNS while another provider serves the domain); the DNS provider appended the domain once more (a name ending in {domain}.{domain}); or a CAA record does not allow amazon.com.",
                    "After 72 hours without the record ACM gives up (VALIDATION_TIMED_OUT): delete that certificate and run setup.sh again to request a new one.",
                ],
                vec![
                    ("Show the record ACM waits for:", "aws acm describe-certificate --region {region} --certificate-arn \"$(aws acm list-certificates --region {region} --certificate-statuses PENDING_VALIDATION --query \"CertificateSummaryList[?DomainName=='{domain}'].CertificateArn | [0]\" --output text)\" --query 'Certificate.DomainValidationOptions[0].[ValidationStatus,ResourceRecord.Name,ResourceRecord.Value]' --output text"),
                    ("Ask public DNS for it (RECORD_NAME from above): it must print the value ACM gave:", "dig +short CNAME RECORD_NAME @1.1.1.1"),
                    ("See which zone holds {domain} (its NS records, or the SOA of the zone above it): the record belongs there:", "dig NS {domain} +noall +answer +authority"),
                    ("Check that no CAA record leaves out amazon.com (no answer is fine):", "dig +short CAA {domain}"),
                    ("Once the record resolves, run the setup again: it finds the issued certificate and goes on:", RUN_SETUP),
                ],
            ),
            Tls::Existing(_) => does_not_apply(
                vec![
                    "keyless.json names an existing certificate, {certificate_arn}: setup.sh requests none and checks that one is issued, in {region} and account {account}, before it changes anything.",
                ],
                vec![("Check its status:", "aws acm describe-certificate --region {region} --certificate-arn {certificate_arn} --query Certificate.Status --output text")],
            ),
            Tls::None if f.load_balancer().is_some() => does_not_apply(
                vec!["keyless.json has no domain_name, so setup.sh requests no certificate: the load balancer serves plain HTTP on port 80."],
                vec![("Set domain_name in keyless.json for HTTPS on your own name (setup.sh requests the certificate and prints its DNS record), then:", "keyless generate --config keyless.json --out .\nbash {setup}")],
            ),
            Tls::None => does_not_apply(
                vec!["keyless.json has no load balancer, so setup.sh requests no certificate: each task answers plain HTTP on its own public IP."],
                vec![("For HTTPS on your own name, set ingress to load_balancer and domain_name in keyless.json, then:", "keyless generate --config keyless.json --out .\nbash {setup}")],
            ),
        },
    },
    Spec {
        id: "alb-5xx",
        title: "503 Service Temporarily Unavailable from the load balancer (or 502, 504)",
        errors: &[
            "503 Service Temporarily Unavailable",
            "HTTP/2 503",
            "HTTP/1.1 503",
            "502 Bad Gateway",
            "504 Gateway Time-out",
        ],
        keywords: "load balancer alb no healthy targets unavailable gateway timeout keep-alive",
        see_also: &["target-health-check", "deploy-not-stable"],
        text: |f| {
            if f.load_balancer().is_none() {
                return does_not_apply(
                    vec!["keyless.json has no load balancer: each task answers on its own public IP and port {port}, so a 502, 503 or 504 comes from the app or from a proxy of your own, not from AWS."],
                    vec![("Read the app's logs (AWS CLI v2):", LOGS_TAIL)],
                );
            }
            applies(
                vec![
                    "The load balancer answers 503 itself when its target group {load_balancer} has no healthy task. Before the first push that is expected: setup.sh starts the service with 0 tasks. After it, every task fails its check on {health_check_path}, or the service is at 0 tasks.",
                    "502: a task closed the connection: it crashed, it speaks HTTPS on {port} (the load balancer speaks HTTP to it), or its keep-alive timeout is shorter than the load balancer's 60 s idle timeout (Node.js' default is 5 s). 504: the app took more than 60 s to answer.",
                ],
                vec![
                    ("Desired and running tasks:", "aws ecs describe-services --region {region} --cluster {cluster} --services {service} --query 'services[0].[desiredCount,runningCount]' --output text"),
                    ("Each target's health:", TARGET_HEALTH),
                    ("No deploy yet? Push to {branch}: the workflow builds the image and starts the tasks.", ""),
                ],
            )
        },
    },
    Spec {
        id: "dns-not-pointing",
        title: "The domain does not point at the load balancer",
        errors: &[
            "Could not resolve host",
            "NXDOMAIN",
            "ERR_NAME_NOT_RESOLVED",
            "server IP address could not be found",
            "ERR_CERT_COMMON_NAME_INVALID",
            "no alternative certificate subject name matches target host name",
            "SSL_ERROR_BAD_CERT_DOMAIN",
        ],
        keywords: "dns domain cname alias route 53 record resolve https certificate name mismatch",
        see_also: &["certificate-pending"],
        text: |f| match f.tls() {
            Tls::RequestFor(_) => applies(
                vec![
                    "{domain} must point at the load balancer {load_balancer}; setup.sh printed how at its end: a Route 53 alias command when the zone is in this account, else a CNAME to the load balancer's name (at a zone's apex, your DNS provider's ALIAS or ANAME).",
                    "Until it does, browsers cannot find the app; and the load balancer's own name (….elb.amazonaws.com) opened over HTTPS shows a certificate error, because the certificate is for {domain} only.",
                ],
                vec![
                    ("The load balancer's name:", LB_DNS_NAME),
                    ("What {domain} resolves to now (it must be the load balancer's addresses, or a CNAME to its name):", "dig +short {domain}"),
                    ("Run the setup again to print the record, and the Route 53 command, at its end:", RUN_SETUP),
                ],
            ),
            Tls::Existing(_) => applies(
                vec![
                    "The name on the certificate {certificate_arn} must point at the load balancer {load_balancer}, with a CNAME to the load balancer's name (or an alias, or your DNS provider's ALIAS at a zone's apex).",
                    "Until it does, browsers cannot find the app; and the load balancer's own name (….elb.amazonaws.com) opened over HTTPS shows a certificate error, because the certificate is not for that name.",
                ],
                vec![
                    ("The name on the certificate:", "aws acm describe-certificate --region {region} --certificate-arn {certificate_arn} --query Certificate.DomainName --output text"),
                    ("The load balancer's name:", LB_DNS_NAME),
                    ("What your name (YOUR_NAME) resolves to now: the load balancer's addresses, or a CNAME to its name:", "dig +short YOUR_NAME"),
                ],
            ),
            Tls::None if f.load_balancer().is_some() => does_not_apply(
                vec!["keyless.json has no domain_name or certificate_arn: the load balancer serves plain HTTP on its own name (….elb.amazonaws.com), and HTTPS to that name cannot work, since ACM issues no certificate for it. Set domain_name for HTTPS on your own name."],
                vec![("The load balancer's name:", LB_DNS_NAME)],
            ),
            Tls::None => does_not_apply(
                vec!["keyless.json has no load balancer: each task answers on its own public IP, which changes with every deploy, so no name can point at it for long. Set ingress to load_balancer and domain_name in keyless.json for a stable name with HTTPS."],
                vec![("Then:", "keyless generate --config keyless.json --out .\nbash {setup}")],
            ),
        },
    },
];
