ALTER TABLE "cellar"."cell_health" ADD COLUMN "down_since" timestamp;--> statement-breakpoint
ALTER TABLE "cellar"."cell_health" ADD COLUMN "target" varchar(32);