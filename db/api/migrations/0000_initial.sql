CREATE TABLE "build_requests" (
	"id" serial PRIMARY KEY NOT NULL,
	"instance_uuid" varchar(36),
	"project_id" varchar(255) NOT NULL,
	"instance" text,
	"block_device_mappings" text,
	"tags" text,
	"created_at" timestamp DEFAULT (now() at time zone 'utc'),
	"updated_at" timestamp,
	CONSTRAINT "uniq_build_requests0instance_uuid" UNIQUE("instance_uuid")
);
--> statement-breakpoint
CREATE TABLE "cell_mappings" (
	"id" serial PRIMARY KEY NOT NULL,
	"uuid" varchar(36) NOT NULL,
	"name" varchar(255),
	"transport_url" text,
	"database_connection" text,
	"disabled" boolean DEFAULT false,
	"created_at" timestamp DEFAULT (now() at time zone 'utc'),
	"updated_at" timestamp,
	CONSTRAINT "uniq_cell_mappings0uuid" UNIQUE("uuid")
);
--> statement-breakpoint
CREATE TABLE "flavor_extra_specs" (
	"id" serial PRIMARY KEY NOT NULL,
	"flavor_id" integer NOT NULL,
	"key" varchar(255) NOT NULL,
	"value" varchar(255),
	"created_at" timestamp DEFAULT (now() at time zone 'utc'),
	"updated_at" timestamp,
	CONSTRAINT "uniq_flavor_extra_specs0flavor_id0key" UNIQUE("flavor_id","key")
);
--> statement-breakpoint
CREATE TABLE "flavor_projects" (
	"id" serial PRIMARY KEY NOT NULL,
	"flavor_id" integer NOT NULL,
	"project_id" varchar(255) NOT NULL,
	"created_at" timestamp DEFAULT (now() at time zone 'utc'),
	"updated_at" timestamp,
	CONSTRAINT "uniq_flavor_projects0flavor_id0project_id" UNIQUE("flavor_id","project_id")
);
--> statement-breakpoint
CREATE TABLE "flavors" (
	"id" serial PRIMARY KEY NOT NULL,
	"name" varchar(255) NOT NULL,
	"memory_mb" integer NOT NULL,
	"vcpus" integer NOT NULL,
	"swap" integer DEFAULT 0 NOT NULL,
	"vcpu_weight" integer,
	"flavorid" varchar(255) NOT NULL,
	"rxtx_factor" double precision DEFAULT 1,
	"root_gb" integer,
	"ephemeral_gb" integer,
	"disabled" boolean DEFAULT false,
	"is_public" boolean DEFAULT true,
	"description" text,
	"created_at" timestamp DEFAULT (now() at time zone 'utc'),
	"updated_at" timestamp,
	CONSTRAINT "uniq_flavors0name" UNIQUE("name"),
	CONSTRAINT "uniq_flavors0flavorid" UNIQUE("flavorid")
);
--> statement-breakpoint
CREATE TABLE "host_mappings" (
	"id" serial PRIMARY KEY NOT NULL,
	"cell_id" integer NOT NULL,
	"host" varchar(255) NOT NULL,
	"created_at" timestamp DEFAULT (now() at time zone 'utc'),
	"updated_at" timestamp,
	CONSTRAINT "uniq_host_mappings0host" UNIQUE("host")
);
--> statement-breakpoint
CREATE TABLE "instance_mappings" (
	"id" serial PRIMARY KEY NOT NULL,
	"instance_uuid" varchar(36) NOT NULL,
	"cell_id" integer,
	"project_id" varchar(255) NOT NULL,
	"user_id" varchar(255),
	"queued_for_delete" boolean DEFAULT false,
	"created_at" timestamp DEFAULT (now() at time zone 'utc'),
	"updated_at" timestamp,
	CONSTRAINT "uniq_instance_mappings0instance_uuid" UNIQUE("instance_uuid")
);
--> statement-breakpoint
CREATE TABLE "request_specs" (
	"id" serial PRIMARY KEY NOT NULL,
	"instance_uuid" varchar(36) NOT NULL,
	"spec" text NOT NULL,
	"created_at" timestamp DEFAULT (now() at time zone 'utc'),
	"updated_at" timestamp,
	CONSTRAINT "uniq_request_specs0instance_uuid" UNIQUE("instance_uuid")
);
--> statement-breakpoint
ALTER TABLE "flavor_extra_specs" ADD CONSTRAINT "flavor_extra_specs_flavor_id_flavors_id_fk" FOREIGN KEY ("flavor_id") REFERENCES "public"."flavors"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "flavor_projects" ADD CONSTRAINT "flavor_projects_flavor_id_flavors_id_fk" FOREIGN KEY ("flavor_id") REFERENCES "public"."flavors"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "host_mappings" ADD CONSTRAINT "host_mappings_cell_id_cell_mappings_id_fk" FOREIGN KEY ("cell_id") REFERENCES "public"."cell_mappings"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "instance_mappings" ADD CONSTRAINT "instance_mappings_cell_id_cell_mappings_id_fk" FOREIGN KEY ("cell_id") REFERENCES "public"."cell_mappings"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "build_requests_instance_uuid_idx" ON "build_requests" USING btree ("instance_uuid");--> statement-breakpoint
CREATE INDEX "build_requests_project_id_idx" ON "build_requests" USING btree ("project_id");--> statement-breakpoint
CREATE INDEX "uuid_idx" ON "cell_mappings" USING btree ("uuid");--> statement-breakpoint
CREATE INDEX "flavor_extra_specs_flavor_id_key_idx" ON "flavor_extra_specs" USING btree ("flavor_id","key");--> statement-breakpoint
CREATE INDEX "host_idx" ON "host_mappings" USING btree ("host");--> statement-breakpoint
CREATE INDEX "instance_uuid_idx" ON "instance_mappings" USING btree ("instance_uuid");--> statement-breakpoint
CREATE INDEX "project_id_idx" ON "instance_mappings" USING btree ("project_id");--> statement-breakpoint
CREATE INDEX "instance_mappings_user_id_project_id_idx" ON "instance_mappings" USING btree ("user_id","project_id");--> statement-breakpoint
CREATE INDEX "instance_mappings_cell_id_idx" ON "instance_mappings" USING btree ("cell_id");--> statement-breakpoint
CREATE INDEX "request_spec_instance_uuid_idx" ON "request_specs" USING btree ("instance_uuid");