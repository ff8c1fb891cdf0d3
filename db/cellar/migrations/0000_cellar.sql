CREATE TABLE "cellar"."api_tokens" (
	"id" serial PRIMARY KEY NOT NULL,
	"name" varchar(64) NOT NULL,
	"role" varchar(16) NOT NULL,
	"secret_hash" varchar(64) NOT NULL,
	"created_by" varchar(255) NOT NULL,
	"created_at" timestamp DEFAULT (now() at time zone 'utc') NOT NULL,
	"expires_at" timestamp NOT NULL,
	"revoked_at" timestamp,
	"revoked_by" varchar(255),
	"last_used_at" timestamp,
	CONSTRAINT "api_tokens_secret_hash_key" UNIQUE("secret_hash"),
	CONSTRAINT "api_tokens_role_check" CHECK ("cellar"."api_tokens"."role" in ('viewer', 'support', 'operator'))
);
--> statement-breakpoint
CREATE TABLE "cellar"."audit_log" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"at" timestamp DEFAULT (now() at time zone 'utc') NOT NULL,
	"source" varchar(16) NOT NULL,
	"actor_kind" varchar(16) NOT NULL,
	"actor" varchar(255) NOT NULL,
	"role" varchar(16),
	"action" varchar(255) NOT NULL,
	"target" text,
	"input" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"outcome" varchar(16) NOT NULL,
	"reason" text,
	"request_id" varchar(64),
	"exit_code" integer,
	CONSTRAINT "audit_log_outcome_check" CHECK ("cellar"."audit_log"."outcome" in ('done', 'refused', 'failed'))
);
--> statement-breakpoint
CREATE TABLE "cellar"."accounts" (
	"id" text PRIMARY KEY NOT NULL,
	"account_id" text NOT NULL,
	"provider_id" text NOT NULL,
	"user_id" text NOT NULL,
	"access_token" text,
	"refresh_token" text,
	"id_token" text,
	"access_token_expires_at" timestamp,
	"refresh_token_expires_at" timestamp,
	"scope" text,
	"password" text,
	"created_at" timestamp DEFAULT (now() at time zone 'utc') NOT NULL,
	"updated_at" timestamp DEFAULT (now() at time zone 'utc') NOT NULL,
	CONSTRAINT "accounts_provider_account_key" UNIQUE("provider_id","account_id")
);
--> statement-breakpoint
CREATE TABLE "cellar"."auth_secret" (
	"id" integer PRIMARY KEY DEFAULT 1 NOT NULL,
	"secret" text NOT NULL,
	"created_at" timestamp DEFAULT (now() at time zone 'utc') NOT NULL,
	CONSTRAINT "auth_secret_single_row" CHECK ("cellar"."auth_secret"."id" = 1)
);
--> statement-breakpoint
CREATE TABLE "cellar"."sessions" (
	"id" text PRIMARY KEY NOT NULL,
	"expires_at" timestamp NOT NULL,
	"token" text NOT NULL,
	"created_at" timestamp DEFAULT (now() at time zone 'utc') NOT NULL,
	"updated_at" timestamp DEFAULT (now() at time zone 'utc') NOT NULL,
	"ip_address" text,
	"user_agent" text,
	"user_id" text NOT NULL,
	CONSTRAINT "sessions_token_key" UNIQUE("token")
);
--> statement-breakpoint
CREATE TABLE "cellar"."users" (
	"id" text PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"email" text NOT NULL,
	"email_verified" boolean DEFAULT false NOT NULL,
	"image" text,
	"created_at" timestamp DEFAULT (now() at time zone 'utc') NOT NULL,
	"updated_at" timestamp DEFAULT (now() at time zone 'utc') NOT NULL,
	"username" varchar(64) NOT NULL,
	"display_username" varchar(64),
	"role" varchar(16) DEFAULT 'viewer' NOT NULL,
	CONSTRAINT "users_email_key" UNIQUE("email"),
	CONSTRAINT "users_username_key" UNIQUE("username"),
	CONSTRAINT "users_role_check" CHECK ("cellar"."users"."role" in ('viewer', 'support', 'operator'))
);
--> statement-breakpoint
CREATE TABLE "cellar"."verifications" (
	"id" text PRIMARY KEY NOT NULL,
	"identifier" text NOT NULL,
	"value" text NOT NULL,
	"expires_at" timestamp NOT NULL,
	"created_at" timestamp DEFAULT (now() at time zone 'utc') NOT NULL,
	"updated_at" timestamp DEFAULT (now() at time zone 'utc') NOT NULL
);
--> statement-breakpoint
CREATE TABLE "cellar"."cell_observations" (
	"cell_uuid" varchar(36) PRIMARY KEY NOT NULL,
	"observed_at" timestamp DEFAULT (now() at time zone 'utc') NOT NULL,
	"figures" jsonb NOT NULL
);
--> statement-breakpoint
CREATE TABLE "cellar"."discovery_runs" (
	"id" serial PRIMARY KEY NOT NULL,
	"started_at" timestamp DEFAULT (now() at time zone 'utc') NOT NULL,
	"finished_at" timestamp,
	"actor" varchar(255) NOT NULL,
	"mode" varchar(16) NOT NULL,
	"dry_run" boolean DEFAULT false NOT NULL,
	"strict" boolean DEFAULT false NOT NULL,
	"cell_uuid" varchar(36),
	"newly_mapped" integer DEFAULT 0 NOT NULL,
	"already_mapped" integer DEFAULT 0 NOT NULL,
	"would_map" integer DEFAULT 0 NOT NULL,
	"skipped_cells" integer DEFAULT 0 NOT NULL,
	"outcome" varchar(16),
	"details" jsonb DEFAULT '{}'::jsonb NOT NULL
);
--> statement-breakpoint
CREATE TABLE "cellar"."installation" (
	"id" integer PRIMARY KEY DEFAULT 1 NOT NULL,
	"created_at" timestamp DEFAULT (now() at time zone 'utc') NOT NULL,
	"demo_seeded_at" timestamp,
	"notes" jsonb DEFAULT '{}'::jsonb
);
--> statement-breakpoint
CREATE TABLE "cellar"."jobs" (
	"id" serial PRIMARY KEY NOT NULL,
	"kind" varchar(64) NOT NULL,
	"target" varchar(255) NOT NULL,
	"state" varchar(16) DEFAULT 'queued' NOT NULL,
	"params" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"progress" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"result" jsonb,
	"error" text,
	"actor" varchar(255),
	"created_at" timestamp DEFAULT (now() at time zone 'utc') NOT NULL,
	"started_at" timestamp,
	"heartbeat_at" timestamp,
	"finished_at" timestamp
);
--> statement-breakpoint
CREATE TABLE "cellar"."sign_in_attempts" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"at" timestamp DEFAULT (now() at time zone 'utc') NOT NULL,
	"username" varchar(255) NOT NULL,
	"address" varchar(64) NOT NULL,
	"state" varchar(16) NOT NULL
);
--> statement-breakpoint
ALTER TABLE "cellar"."accounts" ADD CONSTRAINT "accounts_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "cellar"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "cellar"."sessions" ADD CONSTRAINT "sessions_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "cellar"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "api_tokens_active_name_idx" ON "cellar"."api_tokens" USING btree ("name") WHERE revoked_at is null;--> statement-breakpoint
CREATE INDEX "audit_log_actor_id_idx" ON "cellar"."audit_log" USING btree ("actor","id");--> statement-breakpoint
CREATE INDEX "audit_log_action_id_idx" ON "cellar"."audit_log" USING btree ("action","id");--> statement-breakpoint
CREATE INDEX "audit_log_outcome_id_idx" ON "cellar"."audit_log" USING btree ("outcome","id");--> statement-breakpoint
CREATE INDEX "audit_log_at_idx" ON "cellar"."audit_log" USING btree ("at");--> statement-breakpoint
CREATE INDEX "accounts_user_id_idx" ON "cellar"."accounts" USING btree ("user_id");--> statement-breakpoint
CREATE INDEX "sessions_user_id_idx" ON "cellar"."sessions" USING btree ("user_id");--> statement-breakpoint
CREATE INDEX "verifications_identifier_idx" ON "cellar"."verifications" USING btree ("identifier");--> statement-breakpoint
CREATE INDEX "discovery_runs_started_at_idx" ON "cellar"."discovery_runs" USING btree ("started_at");--> statement-breakpoint
CREATE UNIQUE INDEX "jobs_one_active_idx" ON "cellar"."jobs" USING btree ("kind","target") WHERE state in ('queued', 'running');--> statement-breakpoint
CREATE INDEX "jobs_kind_created_idx" ON "cellar"."jobs" USING btree ("kind","created_at");--> statement-breakpoint
CREATE INDEX "sign_in_attempts_username_at_idx" ON "cellar"."sign_in_attempts" USING btree ("username","at");--> statement-breakpoint
CREATE INDEX "sign_in_attempts_address_at_idx" ON "cellar"."sign_in_attempts" USING btree ("address","at");