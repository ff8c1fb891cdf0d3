CREATE TABLE "cellar"."discovery_schedule" (
	"id" integer PRIMARY KEY DEFAULT 1 NOT NULL,
	"paused" boolean DEFAULT false NOT NULL,
	"paused_by" varchar(255),
	"paused_at" timestamp,
	"leader" varchar(255),
	"lease_until" timestamp,
	"interval_s" integer,
	"last_run_at" timestamp,
	CONSTRAINT "discovery_schedule_one_row" CHECK (id = 1)
);
--> statement-breakpoint
ALTER TABLE "cellar"."discovery_runs" ADD COLUMN "replica" varchar(255);--> statement-breakpoint
ALTER TABLE "cellar"."jobs" ADD COLUMN "runner" varchar(255);--> statement-breakpoint
INSERT INTO "cellar"."discovery_schedule" ("id") VALUES (1) ON CONFLICT DO NOTHING;
