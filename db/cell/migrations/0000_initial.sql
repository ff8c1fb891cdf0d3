CREATE TABLE "compute_nodes" (
	"id" serial PRIMARY KEY NOT NULL,
	"uuid" varchar(36),
	"service_id" integer,
	"host" varchar(255),
	"hypervisor_hostname" varchar(255),
	"vcpus" integer NOT NULL,
	"memory_mb" integer NOT NULL,
	"local_gb" integer NOT NULL,
	"vcpus_used" integer NOT NULL,
	"memory_mb_used" integer NOT NULL,
	"local_gb_used" integer NOT NULL,
	"hypervisor_type" text NOT NULL,
	"hypervisor_version" integer NOT NULL,
	"cpu_info" text NOT NULL,
	"free_ram_mb" integer,
	"free_disk_gb" integer,
	"disk_available_least" integer,
	"running_vms" integer,
	"current_workload" integer,
	"host_ip" "inet",
	"cpu_allocation_ratio" double precision,
	"ram_allocation_ratio" double precision,
	"disk_allocation_ratio" double precision,
	"stats" text,
	"metrics" text,
	"pci_stats" text,
	"numa_topology" text,
	"supported_instances" text,
	"extra_resources" text,
	"mapped" integer DEFAULT 0,
	"created_at" timestamp DEFAULT (now() at time zone 'utc'),
	"updated_at" timestamp,
	"deleted_at" timestamp,
	"deleted" integer DEFAULT 0 NOT NULL,
	CONSTRAINT "uniq_compute_nodes0host0hypervisor_hostname0deleted" UNIQUE("host","hypervisor_hostname","deleted")
);
--> statement-breakpoint
CREATE TABLE "instance_actions" (
	"id" serial PRIMARY KEY NOT NULL,
	"action" varchar(255),
	"instance_uuid" varchar(36),
	"request_id" varchar(255),
	"user_id" varchar(255),
	"project_id" varchar(255),
	"start_time" timestamp,
	"finish_time" timestamp,
	"message" varchar(255),
	"created_at" timestamp DEFAULT (now() at time zone 'utc'),
	"updated_at" timestamp,
	"deleted_at" timestamp,
	"deleted" integer DEFAULT 0 NOT NULL
);
--> statement-breakpoint
CREATE TABLE "instance_actions_events" (
	"id" serial PRIMARY KEY NOT NULL,
	"event" varchar(255),
	"action_id" integer,
	"start_time" timestamp,
	"finish_time" timestamp,
	"result" varchar(255),
	"traceback" text,
	"host" varchar(255),
	"details" text,
	"created_at" timestamp DEFAULT (now() at time zone 'utc'),
	"updated_at" timestamp,
	"deleted_at" timestamp,
	"deleted" integer DEFAULT 0 NOT NULL
);
--> statement-breakpoint
CREATE TABLE "instance_extra" (
	"id" serial PRIMARY KEY NOT NULL,
	"instance_uuid" varchar(36) NOT NULL,
	"flavor" text,
	"numa_topology" text,
	"pci_requests" text,
	"device_metadata" text,
	"vcpu_model" text,
	"migration_context" text,
	"keypairs" text,
	"trusted_certs" text,
	"resources" text,
	"created_at" timestamp DEFAULT (now() at time zone 'utc'),
	"updated_at" timestamp,
	"deleted_at" timestamp,
	"deleted" integer DEFAULT 0 NOT NULL
);
--> statement-breakpoint
CREATE TABLE "instance_faults" (
	"id" serial PRIMARY KEY NOT NULL,
	"instance_uuid" varchar(36),
	"code" integer NOT NULL,
	"message" varchar(255),
	"details" text,
	"host" varchar(255),
	"created_at" timestamp DEFAULT (now() at time zone 'utc'),
	"updated_at" timestamp,
	"deleted_at" timestamp,
	"deleted" integer DEFAULT 0 NOT NULL
);
--> statement-breakpoint
CREATE TABLE "instances" (
	"id" serial PRIMARY KEY NOT NULL,
	"uuid" varchar(36) NOT NULL,
	"user_id" varchar(255),
	"project_id" varchar(255),
	"image_ref" varchar(255),
	"kernel_id" varchar(255),
	"ramdisk_id" varchar(255),
	"hostname" varchar(255),
	"launch_index" integer,
	"key_name" varchar(255),
	"power_state" integer,
	"vm_state" varchar(255),
	"task_state" varchar(255),
	"memory_mb" integer,
	"vcpus" integer,
	"root_gb" integer,
	"ephemeral_gb" integer,
	"host" varchar(255),
	"node" varchar(255),
	"compute_id" bigint,
	"instance_type_id" integer,
	"reservation_id" varchar(255),
	"launched_at" timestamp,
	"terminated_at" timestamp,
	"launched_on" text,
	"availability_zone" varchar(255),
	"display_name" varchar(255),
	"display_description" varchar(255),
	"locked" boolean,
	"locked_by" varchar(5),
	"progress" integer,
	"cleaned" integer DEFAULT 0,
	"hidden" boolean DEFAULT false,
	"created_at" timestamp DEFAULT (now() at time zone 'utc'),
	"updated_at" timestamp,
	"deleted_at" timestamp,
	"deleted" integer DEFAULT 0 NOT NULL,
	CONSTRAINT "uniq_instances0uuid" UNIQUE("uuid")
);
--> statement-breakpoint
CREATE TABLE "services" (
	"id" serial PRIMARY KEY NOT NULL,
	"uuid" varchar(36),
	"host" varchar(255),
	"binary" varchar(255),
	"topic" varchar(255),
	"report_count" integer DEFAULT 0 NOT NULL,
	"disabled" boolean DEFAULT false,
	"disabled_reason" varchar(255),
	"last_seen_up" timestamp,
	"forced_down" boolean DEFAULT false,
	"version" integer DEFAULT 0,
	"created_at" timestamp DEFAULT (now() at time zone 'utc'),
	"updated_at" timestamp,
	"deleted_at" timestamp,
	"deleted" integer DEFAULT 0 NOT NULL,
	CONSTRAINT "uniq_services0host0topic0deleted" UNIQUE("host","topic","deleted"),
	CONSTRAINT "uniq_services0host0binary0deleted" UNIQUE("host","binary","deleted")
);
--> statement-breakpoint
ALTER TABLE "instance_actions_events" ADD CONSTRAINT "instance_actions_events_action_id_instance_actions_id_fk" FOREIGN KEY ("action_id") REFERENCES "public"."instance_actions"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "compute_nodes_uuid_idx" ON "compute_nodes" USING btree ("uuid");--> statement-breakpoint
CREATE INDEX "compute_nodes_mapped_idx" ON "compute_nodes" USING btree ("mapped","deleted");--> statement-breakpoint
CREATE INDEX "instance_uuid_idx" ON "instance_actions" USING btree ("instance_uuid");--> statement-breakpoint
CREATE INDEX "request_id_idx" ON "instance_actions" USING btree ("request_id");--> statement-breakpoint
CREATE INDEX "instance_actions_instance_uuid_updated_at_idx" ON "instance_actions" USING btree ("instance_uuid","updated_at");--> statement-breakpoint
CREATE INDEX "instance_actions_events_action_id_idx" ON "instance_actions_events" USING btree ("action_id");--> statement-breakpoint
CREATE INDEX "instance_extra_idx" ON "instance_extra" USING btree ("instance_uuid");--> statement-breakpoint
CREATE INDEX "instance_faults_host_idx" ON "instance_faults" USING btree ("host");--> statement-breakpoint
CREATE INDEX "instance_faults_instance_uuid_deleted_created_at_idx" ON "instance_faults" USING btree ("instance_uuid","deleted","created_at");--> statement-breakpoint
CREATE INDEX "instances_project_id_idx" ON "instances" USING btree ("project_id");--> statement-breakpoint
CREATE INDEX "instances_project_id_deleted_idx" ON "instances" USING btree ("project_id","deleted");--> statement-breakpoint
CREATE INDEX "instances_uuid_deleted_idx" ON "instances" USING btree ("uuid","deleted");--> statement-breakpoint
CREATE INDEX "instances_host_node_deleted_idx" ON "instances" USING btree ("host","node","deleted");--> statement-breakpoint
CREATE INDEX "instances_host_deleted_cleaned_idx" ON "instances" USING btree ("host","deleted","cleaned");--> statement-breakpoint
CREATE INDEX "instances_deleted_created_at_idx" ON "instances" USING btree ("deleted","created_at");--> statement-breakpoint
CREATE INDEX "instances_task_state_updated_at_idx" ON "instances" USING btree ("task_state","updated_at");--> statement-breakpoint
CREATE INDEX "instances_reservation_id_idx" ON "instances" USING btree ("reservation_id");--> statement-breakpoint
CREATE INDEX "instances_compute_id_deleted_idx" ON "instances" USING btree ("compute_id","deleted");--> statement-breakpoint
CREATE INDEX "instances_created_at_uuid_idx" ON "instances" USING btree ("created_at" DESC NULLS LAST,"uuid");--> statement-breakpoint
CREATE UNIQUE INDEX "services_uuid_idx" ON "services" USING btree ("uuid");--> statement-breakpoint
CREATE INDEX "services_host_idx" ON "services" USING btree ("host");