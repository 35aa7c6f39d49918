/// The LuminaBI data model, as ordered migrations. Append new migrations; never edit applied ones.
enum Schema {
    static let migrations: [Migration] = [
        Migration(version: 1, name: "accounts", statements: [
            """
            CREATE TABLE users (
                id {ID}, email TEXT NOT NULL UNIQUE, name TEXT NOT NULL, password_hash TEXT NOT NULL,
                role TEXT NOT NULL CHECK (role IN ('admin', 'analyst', 'viewer')),
                created_at {TS} NOT NULL, updated_at {TS} NOT NULL)
            """,
            """
            CREATE TABLE sessions (
                id TEXT PRIMARY KEY, user_id {BIGINT} NOT NULL REFERENCES users(id) ON DELETE CASCADE,
                csrf_token TEXT NOT NULL, created_at {TS} NOT NULL, expires_at {TS} NOT NULL,
                last_seen_at {TS} NOT NULL, address TEXT, user_agent TEXT)
            """,
            "CREATE INDEX sessions_user ON sessions(user_id)",
            "CREATE INDEX sessions_expiry ON sessions(expires_at)",
            """
            CREATE TABLE api_tokens (
                id {ID}, user_id {BIGINT} NOT NULL REFERENCES users(id) ON DELETE CASCADE,
                token_hash TEXT NOT NULL UNIQUE, name TEXT NOT NULL, created_at {TS} NOT NULL,
                last_used_at {TS}, expires_at {TS}, revoked_at {TS})
            """,
            "CREATE INDEX api_tokens_user ON api_tokens(user_id)",
        ]),
        Migration(version: 2, name: "datasets and uploads", statements: [
            """
            CREATE TABLE datasets (
                id {ID}, owner_id {BIGINT} NOT NULL REFERENCES users(id) ON DELETE CASCADE,
                name TEXT NOT NULL, status TEXT NOT NULL CHECK (status IN ('pending', 'cleaning', 'cleaned', 'failed')),
                error TEXT, source_filename TEXT NOT NULL, raw_path TEXT, table_name TEXT,
                raw_row_count {BIGINT} NOT NULL DEFAULT 0, row_count {BIGINT} NOT NULL DEFAULT 0,
                column_count INTEGER NOT NULL DEFAULT 0, size_bytes {BIGINT} NOT NULL DEFAULT 0, sha256 TEXT,
                dialect {JSON}, encoding TEXT, cleaning_report {JSON}, profile {JSON},
                data_version INTEGER NOT NULL DEFAULT 1, insights_version INTEGER NOT NULL DEFAULT 0,
                created_at {TS} NOT NULL, updated_at {TS} NOT NULL, cleaned_at {TS})
            """,
            "CREATE INDEX datasets_owner ON datasets(owner_id)",
            "CREATE INDEX datasets_status ON datasets(status)",
            """
            CREATE TABLE dataset_columns (
                id {ID}, dataset_id {BIGINT} NOT NULL REFERENCES datasets(id) ON DELETE CASCADE,
                position INTEGER NOT NULL, name TEXT NOT NULL, sql_name TEXT NOT NULL,
                type TEXT NOT NULL, nullable BOOLEAN NOT NULL, stage TEXT NOT NULL DEFAULT 'raw',
                UNIQUE (dataset_id, stage, position))
            """,
            """
            CREATE TABLE uploads (
                id {ID}, owner_id {BIGINT} NOT NULL REFERENCES users(id) ON DELETE CASCADE,
                filename TEXT NOT NULL, size {BIGINT} NOT NULL, received {BIGINT} NOT NULL DEFAULT 0,
                status TEXT NOT NULL CHECK (status IN ('receiving', 'ingesting', 'complete', 'failed', 'expired')),
                path TEXT NOT NULL, dataset_id {BIGINT} REFERENCES datasets(id) ON DELETE SET NULL, error TEXT,
                created_at {TS} NOT NULL, updated_at {TS} NOT NULL)
            """,
            "CREATE INDEX uploads_owner ON uploads(owner_id)",
            "CREATE INDEX uploads_status ON uploads(status, updated_at)",
            """
            CREATE TABLE insights (
                id {ID}, dataset_id {BIGINT} NOT NULL REFERENCES datasets(id) ON DELETE CASCADE,
                kind TEXT NOT NULL, title TEXT NOT NULL, description TEXT NOT NULL, score {DOUBLE} NOT NULL,
                columns {JSON} NOT NULL, data {JSON} NOT NULL, created_at {TS} NOT NULL)
            """,
            "CREATE INDEX insights_dataset ON insights(dataset_id, score)",
        ]),
        Migration(version: 3, name: "dashboards", statements: [
            """
            CREATE TABLE dashboards (
                id {ID}, owner_id {BIGINT} NOT NULL REFERENCES users(id) ON DELETE CASCADE,
                name TEXT NOT NULL, description TEXT NOT NULL DEFAULT '', version INTEGER NOT NULL DEFAULT 1,
                filters {JSON} NOT NULL DEFAULT '{}', created_at {TS} NOT NULL, updated_at {TS} NOT NULL)
            """,
            "CREATE INDEX dashboards_owner ON dashboards(owner_id)",
            """
            CREATE TABLE dashboard_members (
                dashboard_id {BIGINT} NOT NULL REFERENCES dashboards(id) ON DELETE CASCADE,
                user_id {BIGINT} NOT NULL REFERENCES users(id) ON DELETE CASCADE,
                role TEXT NOT NULL CHECK (role IN ('viewer', 'editor')), created_at {TS} NOT NULL,
                PRIMARY KEY (dashboard_id, user_id))
            """,
            "CREATE INDEX dashboard_members_user ON dashboard_members(user_id)",
            """
            CREATE TABLE visualizations (
                id {ID}, dashboard_id {BIGINT} NOT NULL REFERENCES dashboards(id) ON DELETE CASCADE,
                dataset_id {BIGINT} REFERENCES datasets(id) ON DELETE CASCADE, title TEXT NOT NULL,
                chart TEXT NOT NULL, config {JSON} NOT NULL, layout {JSON} NOT NULL,
                created_at {TS} NOT NULL, updated_at {TS} NOT NULL)
            """,
            "CREATE INDEX visualizations_dashboard ON visualizations(dashboard_id)",
            "CREATE INDEX visualizations_dataset ON visualizations(dataset_id)",
        ]),
        Migration(version: 4, name: "reports", statements: [
            """
            CREATE TABLE scheduled_reports (
                id {ID}, dashboard_id {BIGINT} NOT NULL REFERENCES dashboards(id) ON DELETE CASCADE,
                owner_id {BIGINT} NOT NULL REFERENCES users(id) ON DELETE CASCADE,
                recipients {JSON} NOT NULL, schedule TEXT NOT NULL, time_of_day TEXT NOT NULL,
                timezone TEXT NOT NULL, enabled BOOLEAN NOT NULL DEFAULT TRUE, next_run_at {TS},
                last_sent_at {TS}, created_at {TS} NOT NULL, updated_at {TS} NOT NULL)
            """,
            "CREATE INDEX scheduled_reports_due ON scheduled_reports(enabled, next_run_at)",
            """
            CREATE TABLE report_archive (
                id {ID}, report_id {BIGINT} NOT NULL REFERENCES scheduled_reports(id) ON DELETE CASCADE,
                generated_at {TS} NOT NULL, path TEXT NOT NULL, size {BIGINT} NOT NULL, sha256 TEXT NOT NULL)
            """,
            "CREATE INDEX report_archive_report ON report_archive(report_id, generated_at)",
            """
            CREATE TABLE report_deliveries (
                id {ID}, archive_id {BIGINT} NOT NULL REFERENCES report_archive(id) ON DELETE CASCADE,
                email TEXT NOT NULL, status TEXT NOT NULL CHECK (status IN ('sent', 'failed', 'retrying')),
                attempts INTEGER NOT NULL DEFAULT 0, error TEXT, updated_at {TS} NOT NULL)
            """,
            "CREATE INDEX report_deliveries_archive ON report_deliveries(archive_id)",
        ]),
        Migration(version: 5, name: "jobs and cluster", statements: [
            """
            CREATE TABLE job_runs (
                id {ID}, job TEXT NOT NULL, trigger TEXT NOT NULL CHECK (trigger IN ('schedule', 'manual', 'startup')),
                node TEXT NOT NULL,
                status TEXT NOT NULL CHECK (status IN ('running', 'succeeded', 'failed', 'interrupted', 'skipped')),
                started_at {TS} NOT NULL, finished_at {TS}, duration_ms {BIGINT},
                items_done {BIGINT} NOT NULL DEFAULT 0, items_total {BIGINT}, error TEXT,
                log {JSON} NOT NULL DEFAULT '[]')
            """,
            "CREATE INDEX job_runs_job ON job_runs(job, started_at)",
            "CREATE INDEX job_runs_status ON job_runs(status, started_at)",
            """
            CREATE TABLE job_leases (
                job TEXT PRIMARY KEY, fire_time {TS} NOT NULL, node TEXT NOT NULL,
                acquired_at {TS} NOT NULL, expires_at {TS} NOT NULL)
            """,
            """
            CREATE TABLE channel_payloads (
                id {ID}, payload TEXT NOT NULL, created_at {TS} NOT NULL)
            """,
            "CREATE INDEX channel_payloads_created ON channel_payloads(created_at)",
        ]),
        Migration(version: 6, name: "job runs remember their fire time", statements: [
            // Misfire detection compares the last scheduled fire that ran with the one that was due.
            "ALTER TABLE job_runs ADD COLUMN scheduled_for {TS}",
            "CREATE INDEX job_runs_fire ON job_runs(job, scheduled_for)",
        ]),
    ]
}
