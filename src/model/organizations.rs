//! AWS Organizations policies that guard the account-level public access block:
//! service control policies that deny changing it, and S3 policies that manage
//! Block Public Access for the organization's accounts (which then cannot change
//! their own settings).

use super::policy::{Effect, PolicyDocument, allows_action, document_tree};
use super::value::{Node, Tri};
use crate::source::Span;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OrgPolicyKind {
    /// `SERVICE_CONTROL_POLICY` (Terraform's default type).
    ServiceControl,
    /// `S3_POLICY`: declarative Block Public Access for the organization.
    S3,
    /// Another type (tag, backup, AI opt-out policies).
    Other,
    /// The type is known only at apply.
    Unknown,
}

#[derive(Debug, Clone, PartialEq)]
pub struct OrgPolicy {
    pub scope: String,
    pub address: String,
    pub decl: Span,
    pub kind: OrgPolicyKind,
    /// A service control policy's document; `None` when it cannot be read.
    pub document: Option<PolicyDocument>,
    /// An S3 policy assigns `all` to `public_access_block_configuration`.
    pub blocks_all: Tri,
}

/// The IAM action that both changes and deletes the account-level block
/// (`PutPublicAccessBlock` and `DeletePublicAccessBlock` of S3 Control).
pub const ACCOUNT_BLOCK_ACTION: &str = "s3:PutAccountPublicAccessBlock";

impl OrgPolicy {
    /// Reads a policy of `kind` (`None`: known only at apply) from its content (a
    /// JSON string or a map).
    pub fn read(
        (scope, address, decl): (String, String, Span),
        kind: Option<&str>,
        content: Option<&Node>,
    ) -> OrgPolicy {
        let kind = match kind {
            Some("SERVICE_CONTROL_POLICY") => OrgPolicyKind::ServiceControl,
            Some("S3_POLICY") => OrgPolicyKind::S3,
            Some(_) => OrgPolicyKind::Other,
            None => OrgPolicyKind::Unknown,
        };
        let tree = content.and_then(document_tree);
        let blocks_all = match tree
            .as_ref()
            .and_then(|t| t.get("s3_attributes"))
            .and_then(|a| a.get("public_access_block_configuration"))
            .and_then(|c| c.get("@@assign"))
        {
            _ if kind != OrgPolicyKind::S3 => Tri::No,
            None if tree.is_none() => Tri::Unknown,
            None => Tri::No,
            Some(v) => match v.as_str() {
                Some(s) => Tri::from_bool(s == "all"),
                None => Tri::Unknown,
            },
        };
        OrgPolicy {
            scope,
            address,
            decl,
            kind,
            document: tree.as_ref().and_then(PolicyDocument::from_value),
            blocks_all,
        }
    }

    /// Does this policy keep the accounts it applies to from turning their public
    /// access block off? A service control policy that denies
    /// [`ACCOUNT_BLOCK_ACTION`] on all resources (whatever principals its condition
    /// exempts), or an S3 policy that assigns `all`.
    pub fn protects_account_block(&self) -> Tri {
        match self.kind {
            OrgPolicyKind::S3 => self.blocks_all,
            OrgPolicyKind::Other => Tri::No,
            OrgPolicyKind::Unknown => Tri::Unknown,
            OrgPolicyKind::ServiceControl => {
                let Some(doc) = &self.document else {
                    return Tri::Unknown;
                };
                let denies = Tri::any(doc.statements.iter().map(|st| {
                    let effect = match st.effect {
                        Some(Effect::Deny) => Tri::Yes,
                        Some(Effect::Allow) => Tri::No,
                        None => Tri::Unknown,
                    };
                    let action = st
                        .action
                        .as_ref()
                        .map_or(Tri::No, |a| allows_action(a, ACCOUNT_BLOCK_ACTION));
                    // The account-level operation's resource is `*`.
                    let resource = match &st.resource {
                        None => Tri::No,
                        Some(r) if r.not => Tri::Unknown,
                        Some(r) => Tri::any(
                            r.values
                                .iter()
                                .map(|(t, _)| Tri::from_bool(t.as_lit() == Some("*"))),
                        )
                        .or(if r.unknown { Tri::Unknown } else { Tri::No }),
                    };
                    effect.and(action).and(resource)
                }));
                if doc.incomplete {
                    denies.or(Tri::Unknown)
                } else {
                    denies
                }
            }
        }
    }
}
