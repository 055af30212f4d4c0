//! A job application's status and the pipeline it moves through.
//!
//! ```text
//! submitted -> reviewing -> interview -> offered -> hired
//!     \____________\____________\___________\_____-> rejected   (recruiters)
//!     \____________\____________\___________\_____-> withdrawn  (the candidate)
//! ```
//! Recruiters move an application one step forward or reject it while it is open; only the
//! candidate withdraws it. `hired`, `rejected` and `withdrawn` are final.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use super::ValidationError;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ApplicationStatus {
    Submitted,
    Reviewing,
    Interview,
    Offered,
    Hired,
    Rejected,
    Withdrawn,
}

/// Who asks for a transition.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mover {
    /// The candidate who applied.
    Candidate,
    /// A recruiter or an admin.
    Recruiter,
}

/// A transition the pipeline does not allow, with the reason.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("cannot move an application from {from} to {to}: {reason}")]
pub struct TransitionError {
    pub from: ApplicationStatus,
    pub to: ApplicationStatus,
    pub reason: &'static str,
}

impl ApplicationStatus {
    pub const ALL: [ApplicationStatus; 7] = [
        Self::Submitted,
        Self::Reviewing,
        Self::Interview,
        Self::Offered,
        Self::Hired,
        Self::Rejected,
        Self::Withdrawn,
    ];
    pub const NAMES: &'static str =
        "submitted, reviewing, interview, offered, hired, rejected, withdrawn";

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Submitted => "submitted",
            Self::Reviewing => "reviewing",
            Self::Interview => "interview",
            Self::Offered => "offered",
            Self::Hired => "hired",
            Self::Rejected => "rejected",
            Self::Withdrawn => "withdrawn",
        }
    }

    /// Open: still moving through the pipeline.
    pub fn is_open(self) -> bool {
        self.next().is_some()
    }

    /// The next step forward, for open statuses.
    pub fn next(self) -> Option<Self> {
        match self {
            Self::Submitted => Some(Self::Reviewing),
            Self::Reviewing => Some(Self::Interview),
            Self::Interview => Some(Self::Offered),
            Self::Offered => Some(Self::Hired),
            Self::Hired | Self::Rejected | Self::Withdrawn => None,
        }
    }

    /// Whether `by` may move an application from `self` to `to`.
    pub fn check_transition(self, to: Self, by: Mover) -> Result<(), TransitionError> {
        let fail = |reason| {
            Err(TransitionError {
                from: self,
                to,
                reason,
            })
        };
        if !self.is_open() {
            return fail("the application is closed");
        }
        match (to, by) {
            (Self::Withdrawn, Mover::Candidate) => Ok(()),
            (Self::Withdrawn, Mover::Recruiter) => fail("only the candidate withdraws"),
            (_, Mover::Candidate) => fail("candidates can only withdraw"),
            (Self::Rejected, Mover::Recruiter) => Ok(()),
            (to, Mover::Recruiter) if Some(to) == self.next() => Ok(()),
            (Self::Submitted, Mover::Recruiter) => fail("submitted is only the first status"),
            _ => fail("the pipeline moves one step forward at a time"),
        }
    }
}

impl fmt::Display for ApplicationStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for ApplicationStatus {
    type Err = ValidationError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .into_iter()
            .find(|status| status.as_str() == s.trim())
            .ok_or_else(|| {
                ValidationError::new("status", format!("must be one of {}", Self::NAMES))
            })
    }
}

#[cfg(test)]
mod tests {
    use super::ApplicationStatus::*;
    use super::*;

    #[test]
    fn recruiters_move_one_step_forward_or_reject_while_open() {
        let path = [Submitted, Reviewing, Interview, Offered, Hired];
        for pair in path.windows(2) {
            assert_eq!(pair[0].check_transition(pair[1], Mover::Recruiter), Ok(()));
            assert!(pair[0].check_transition(Rejected, Mover::Recruiter).is_ok());
        }
        assert!(
            Submitted
                .check_transition(Interview, Mover::Recruiter)
                .is_err()
        );
        assert!(
            Interview
                .check_transition(Reviewing, Mover::Recruiter)
                .is_err()
        );
        assert!(
            Reviewing
                .check_transition(Reviewing, Mover::Recruiter)
                .is_err()
        );
        assert!(
            Reviewing
                .check_transition(Submitted, Mover::Recruiter)
                .is_err()
        );
    }

    #[test]
    fn only_the_candidate_withdraws_and_closed_applications_stay_closed() {
        for open in [Submitted, Reviewing, Interview, Offered] {
            assert!(open.check_transition(Withdrawn, Mover::Candidate).is_ok());
            let err = open
                .check_transition(Withdrawn, Mover::Recruiter)
                .unwrap_err();
            assert_eq!(err.reason, "only the candidate withdraws");
            assert!(open.check_transition(Rejected, Mover::Candidate).is_err());
        }
        for closed in [Hired, Rejected, Withdrawn] {
            for to in ApplicationStatus::ALL {
                for by in [Mover::Candidate, Mover::Recruiter] {
                    let err = closed.check_transition(to, by).unwrap_err();
                    assert_eq!(err.reason, "the application is closed");
                }
            }
        }
    }

    #[test]
    fn the_error_names_the_transition() {
        let err = Hired
            .check_transition(Reviewing, Mover::Recruiter)
            .unwrap_err();
        assert_eq!(
            err.to_string(),
            "cannot move an application from hired to reviewing: the application is closed"
        );
    }

    #[test]
    fn statuses_parse_from_their_names_only() {
        for status in ApplicationStatus::ALL {
            assert_eq!(status.as_str().parse::<ApplicationStatus>(), Ok(status));
        }
        assert_eq!(
            "offer".parse::<ApplicationStatus>().unwrap_err().field,
            "status"
        );
    }
}
