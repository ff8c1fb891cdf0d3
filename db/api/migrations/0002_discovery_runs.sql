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
CREATE INDEX "discovery_runs_started_at_idx" ON "cellar"."discovery_runs" USING btree ("started_at");