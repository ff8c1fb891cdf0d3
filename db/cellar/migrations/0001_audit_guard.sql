ALTER TABLE "cellar"."audit_log" DROP CONSTRAINT "audit_log_outcome_check";--> statement-breakpoint
ALTER TABLE "cellar"."audit_log" ADD COLUMN "address" varchar(64);--> statement-breakpoint
ALTER TABLE "cellar"."audit_log" ADD COLUMN "aggregate_key" text;--> statement-breakpoint
ALTER TABLE "cellar"."audit_log" ADD COLUMN "repeat_count" integer DEFAULT 1 NOT NULL;--> statement-breakpoint
ALTER TABLE "cellar"."audit_log" ADD COLUMN "last_at" timestamp;--> statement-breakpoint
CREATE UNIQUE INDEX "audit_log_aggregate_key_idx" ON "cellar"."audit_log" USING btree ("aggregate_key") WHERE "cellar"."audit_log"."aggregate_key" is not null;--> statement-breakpoint
ALTER TABLE "cellar"."audit_log" ADD CONSTRAINT "audit_log_outcome_check" CHECK ("cellar"."audit_log"."outcome" in ('done', 'refused', 'failed', 'started'));