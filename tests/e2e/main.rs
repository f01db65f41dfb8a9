//! End-to-end: the real router over HTTP. Each scenario runs on SQLite and PostgreSQL.

// Fixtures and assertions: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used)]

mod accounts;
mod audit;
mod catalogues;
mod committees;
mod docking;
mod hardening;
mod headers;
mod health;
mod instruments;
mod interests;
mod ledger;
mod limits;
mod messages;
mod notifications;
mod records;
mod roles;
mod scenarios;
mod semantic;
mod trends;
mod workspace;

macro_rules! on_both_backends {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    let s = duijie_e2e::TestServer::start(duijie_e2e::Db::Sqlite).await.unwrap();
                    crate::$name(s).await;
                }
            )*
        }
        mod postgres {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    let Some(s) = duijie_e2e::TestServer::start(duijie_e2e::Db::Postgres).await else { return };
                    crate::$name(s).await;
                }
            )*
        }
    };
}

use accounts::{
    admins_manage_accounts, own_password_contact_and_tokens,
    registration_is_approved_or_rejected_by_the_bureau, sessions_sign_in_out_and_everywhere,
};
use audit::the_audit_log_records_decisions_exports_and_bulk_reads;
use catalogues::{
    catalogue_editions_publish_freeze_diff_and_export, review_queue_flags_gaps_and_duplicates,
};
use committees::committees_cover_subtopics_two_per_institution;
use docking::{
    a_repeated_message_post_makes_one_message, instruments_are_cited_in_an_interest,
    match_notices_survive_a_stop_right_after_publishing, the_webhook_posts_signed_events_once,
};
use hardening::{
    a_retried_post_makes_one_record, an_approval_covers_only_the_text_reviewed,
    concurrent_edits_keep_every_change_and_stale_versions_get_412,
};
use instruments::instruments_are_found_and_shown_beside_matches;
use interests::{
    a_withdrawn_demand_closes_pending_interests_and_can_be_reopened, interests_lead_to_docking,
};
use ledger::ledger_records_projects_and_the_annual_report_counts_them;
use messages::conversations_are_private_escaped_and_exchange_contacts_on_accept;
use notifications::{events_notify_the_right_accounts, mail_reaches_a_real_smtp_server};
use records::leaders_without_text_stay_out_of_the_index;
use roles::role_matrix;
use scenarios::*;
use trends::trends_count_public_demands_and_find_rising_terms;
use workspace::{
    institutions_keep_their_own_records, my_interests_list_every_state_and_citations_stay_own,
};

on_both_backends!(
    a_repeated_message_post_makes_one_message,
    instruments_are_cited_in_an_interest,
    match_notices_survive_a_stop_right_after_publishing,
    the_webhook_posts_signed_events_once,
    institutions_keep_their_own_records,
    my_interests_list_every_state_and_citations_stay_own,
    healthz_answers_ok,
    unknown_routes_and_bad_bodies_get_json_errors,
    demand_lifecycle_over_http,
    contact_details_follow_roles,
    search_finds_published_demands_only_for_the_public,
    hostile_queries_never_fail,
    import_upload_reports_and_is_idempotent,
    match_ranks_institutions_with_evidence,
    review_queue_flags_gaps_and_duplicates,
    catalogue_editions_publish_freeze_diff_and_export,
    role_matrix,
    interests_lead_to_docking,
    ledger_records_projects_and_the_annual_report_counts_them,
    instruments_are_found_and_shown_beside_matches,
    trends_count_public_demands_and_find_rising_terms,
    committees_cover_subtopics_two_per_institution,
    leaders_without_text_stay_out_of_the_index,
    each_write_is_visible_to_the_next_read,
    a_withdrawn_demand_closes_pending_interests_and_can_be_reopened,
    implausible_budgets_and_past_deadlines_are_refused,
    demands_sort_and_filter_by_budget_and_deadline,
    the_audit_log_records_decisions_exports_and_bulk_reads,
    concurrent_edits_keep_every_change_and_stale_versions_get_412,
    an_approval_covers_only_the_text_reviewed,
    a_retried_post_makes_one_record,
    sessions_sign_in_out_and_everywhere,
    registration_is_approved_or_rejected_by_the_bureau,
    admins_manage_accounts,
    own_password_contact_and_tokens,
    events_notify_the_right_accounts,
    mail_reaches_a_real_smtp_server,
    conversations_are_private_escaped_and_exchange_contacts_on_accept,
);

/// Semantic matching starts its own servers with vectors (both backends).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_demand_in_other_words_finds_its_partner_by_meaning_sqlite() {
    semantic::a_demand_in_other_words_finds_its_partner_by_meaning(duijie_e2e::Db::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_demand_in_other_words_finds_its_partner_by_meaning_postgres() {
    semantic::a_demand_in_other_words_finds_its_partner_by_meaning(duijie_e2e::Db::Postgres).await;
}

/// Throttling needs its own short lock-out, so it starts its servers itself (both backends).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sign_in_failures_are_counted_across_replicas() {
    docking::sign_in_failures_are_counted_across_replicas().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sign_in_is_throttled_with_a_lock_out() {
    accounts::sign_in_is_throttled_with_a_lock_out().await;
}
