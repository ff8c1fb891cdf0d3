CREATE TABLE "cellar"."cell_figures" (
	"cell_uuid" varchar(36) NOT NULL,
	"kind" varchar(64) NOT NULL,
	"observed_at" timestamp DEFAULT (now() at time zone 'utc') NOT NULL,
	"value" jsonb NOT NULL,
	CONSTRAINT "cell_figures_cell_uuid_kind_pk" PRIMARY KEY("cell_uuid","kind")
);
--> statement-breakpoint
CREATE TABLE "cellar"."cell_health" (
	"cell_uuid" varchar(36) PRIMARY KEY NOT NULL,
	"last_success_at" timestamp,
	"last_failure_at" timestamp,
	"reason" varchar(16),
	"message" text,
	"consecutive_failures" integer DEFAULT 0 NOT NULL,
	"next_probe_at" timestamp,
	"updated_at" timestamp DEFAULT (now() at time zone 'utc') NOT NULL
);
