//! The wizard's steps and which config fields each one asks for.

use keyless_core::Field;

/// One step of the wizard.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Step {
    /// Repository, branch or environment, subject format.
    GitHub,
    /// Account and region.
    Aws,
    /// Name, port, size, architecture, health check, variables and secrets.
    App,
    /// How people reach the app (public IP or load balancer) and autoscaling.
    Traffic,
    /// Subnets, security groups, public IP.
    Network,
    /// The findings and the downloads.
    Review,
}

impl Step {
    /// Every step, in order.
    pub const ALL: [Step; 6] = [
        Step::GitHub,
        Step::Aws,
        Step::App,
        Step::Traffic,
        Step::Network,
        Step::Review,
    ];

    /// The step's title.
    pub fn title(self) -> &'static str {
        match self {
            Step::GitHub => "GitHub",
            Step::Aws => "AWS",
            Step::App => "App",
            Step::Traffic => "Traffic",
            Step::Network => "Network",
            Step::Review => "Review",
        }
    }

    /// A stable id for the step's elements.
    pub fn id(self) -> &'static str {
        match self {
            Step::GitHub => "github",
            Step::Aws => "aws",
            Step::App => "app",
            Step::Traffic => "traffic",
            Step::Network => "network",
            Step::Review => "review",
        }
    }

    /// The fields the step asks for (Review asks for none and shows every error).
    pub fn fields(self) -> &'static [Field] {
        match self {
            Step::GitHub => &[
                Field::GithubOwner,
                Field::GithubRepo,
                Field::Branch,
                Field::Environment,
                Field::SubjectFormat,
                Field::GithubOwnerId,
                Field::GithubRepoId,
            ],
            Step::Aws => &[Field::AccountId, Field::Region],
            Step::App => &[
                Field::AppName,
                Field::Starter,
                Field::ContainerPort,
                Field::Cpu,
                Field::Memory,
                Field::Architecture,
                Field::DesiredCount,
                Field::UseSpot,
                Field::HealthCheckCommand,
                Field::LogRetentionDays,
                Field::EphemeralStorageGib,
                Field::EnvironmentVariables,
                Field::Secrets,
            ],
            Step::Traffic => &[
                Field::Ingress,
                Field::DomainName,
                Field::CertificateArn,
                Field::HealthCheckPath,
                Field::MinCount,
                Field::MaxCount,
                Field::CpuTargetPercent,
            ],
            Step::Network => &[Field::AssignPublicIp, Field::Subnets, Field::SecurityGroups],
            Step::Review => &[],
        }
    }

    /// The step with this [`Step::id`].
    pub fn from_id(id: &str) -> Option<Step> {
        Step::ALL.into_iter().find(|s| s.id() == id)
    }

    /// The step's position, from 0.
    pub fn index(self) -> usize {
        Step::ALL.iter().position(|s| *s == self).unwrap_or(0)
    }

    /// The step that asks for `field`.
    pub fn of(field: Field) -> Step {
        Step::ALL
            .into_iter()
            .find(|s| s.fields().contains(&field))
            .unwrap_or(Step::Review)
    }

    /// The next step, if any.
    pub fn next(self) -> Option<Step> {
        let i = Step::ALL.iter().position(|s| *s == self)?;
        Step::ALL.get(i + 1).copied()
    }

    /// The previous step, if any.
    pub fn previous(self) -> Option<Step> {
        let i = Step::ALL.iter().position(|s| *s == self)?;
        i.checked_sub(1).map(|i| Step::ALL[i])
    }
}
