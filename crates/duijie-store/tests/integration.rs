//! The storage conformance suite: every test runs on SQLite and on PostgreSQL.

// Fixtures and assertions: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used)]

mod conformance;

/// Declares `sqlite::NAME` and `postgres::NAME` for each conformance test `conformance::NAME`.
macro_rules! on_both_backends {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test]
                async fn $name() {
                    let dir = tempfile::tempdir().unwrap();
                    let url = duijie_store::testing::sqlite_url(dir.path());
                    let store = duijie_store::connect(&url).await.unwrap();
                    crate::conformance::$name(store).await;
                }
            )*
        }
        mod postgres {
            $(
                #[tokio::test]
                async fn $name() {
                    let Some(url) = duijie_store::testing::postgres_url().await else { return };
                    let store = duijie_store::connect(&url).await.unwrap();
                    crate::conformance::$name(store).await;
                }
            )*
        }
    };
}

on_both_backends!(
    migrations_run_twice_and_store_is_empty,
    organizations_are_identified_by_normalised_name,
    import_inserts_then_is_idempotent_then_updates,
    import_links_achievements_to_leaders,
    import_is_all_or_nothing,
    demand_lifecycle_records_history,
    transition_is_compare_and_set,
    duplicate_demand_title_conflicts,
    change_log_is_strictly_increasing_and_complete,
    concurrent_writers_keep_the_log_in_commit_order,
    scan_and_get_records_page_through_everything,
    users_are_found_by_token_hash_and_revoked,
    list_demands_filters_and_pages,
    catalogue_publish_freezes_snapshots_and_moves_demands,
    catalogue_publish_is_all_or_nothing,
    only_untouched_drafts_are_deleted,
    interests_are_checked_answered_once_and_move_the_demand,
    accepting_is_all_or_nothing,
    projects_contract_their_demand_and_filter,
    secondments_are_listed_by_active_year,
    demand_timelines_follow_the_history,
    instruments_are_logged_and_read_like_records,
    public_demands_are_published_ones_with_publication_time,
    committees_are_saved_listed_and_updated,
    audit_entries_list_newest_first_filter_and_page,
    messages_and_attachments_keep_their_rules,
    a_review_decision_and_its_audit_entry_commit_together,
    writes_from_a_stale_version_are_refused,
    an_edit_never_lands_after_the_review,
    an_idempotency_key_lets_one_request_in,
    a_project_is_not_recorded_twice,
    accounts_sign_in_by_name_email_or_phone_with_sessions_and_tokens,
    registrations_are_decided_once,
    own_records_are_versioned_logged_and_audited,
    an_organisations_interests_come_with_their_demands,
    vectors_are_kept_once_per_text_hash,
);
