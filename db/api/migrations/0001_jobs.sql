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
CREATE UNIQUE INDEX "jobs_one_active_idx" ON "cellar"."jobs" USING btree ("kind","target") WHERE state in ('queued', 'running');--> statement-breakpoint
CREATE INDEX "jobs_kind_created_idx" ON "cellar"."jobs" USING btree ("kind","created_at");