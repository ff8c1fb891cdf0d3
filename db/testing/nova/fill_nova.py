"""Fill a nova deployment made by nova-manage, through nova's own objects.

Run with Debian's interpreter (python3-nova), never a python from PATH:

    /usr/bin/python3 fill_nova.py --config-file nova.conf fill
    /usr/bin/python3 fill_nova.py --config-file nova.conf repoint '{"<cell uuid>": "<database_connection>"}'

`fill` expects what nova-manage made: api_db sync, cell_v2 map_cell0, db sync (cell1 and
cell0), cell_v2 create_cell for cell1 and cell2, db sync of cell2. It writes nothing by
hand: every row comes from a nova object method or from a nova helper (the API's
_provision_instances steps, the conductor's schedule_and_build_instances and
_bury_in_cell0, discover_hosts, compute_utils.add_instance_fault_from_exc,
Instance.destroy). It prints one JSON object describing what it made.

`repoint` changes cell mappings' database_connection through CellMapping.save (used
after the databases were cloned under new names) and prints the cells as JSON.
"""

import datetime
import json
import sys
import warnings

warnings.simplefilter('ignore')


def usage():
    sys.stderr.write(__doc__)
    sys.exit(2)


def setup(conf_path):
    from nova import config
    from nova import objects

    config.parse_args(['fill_nova', '--config-file', conf_path])
    objects.register_all()


# A fixed clock for the rows whose timestamps the tests compare. Everything else gets
# nova's own utcnow.
TIE_CREATED_AT = datetime.datetime(2026, 11, 2, 9, 30, 0, tzinfo=datetime.timezone.utc)
UNMAPPED_CREATED_AT = datetime.datetime(2026, 11, 3, 8, 0, 0, tzinfo=datetime.timezone.utc)

PROJECT_A = '8c2b5fbd0e0b4b46a7e4a3c1f0d2e6a1'
PROJECT_B = '3f1d7e9a2b6c4d80915e0a7b4c2d6f38'
USER_A = 'e1a9c0d7b3f24c5e8a6d1b0f9e3c7a25'
USER_B = '5b7e2c9d1a3f4e60b8c2d7a1e9f0b346'

IMAGE = {
    'id': '6b9e4a1c-2d3f-4e5a-8b7c-9d0e1f2a3b4c',
    'name': 'debian-12',
    'status': 'active',
    'container_format': 'bare',
    'disk_format': 'qcow2',
    'size': 342556160,
    'min_ram': 0,
    'min_disk': 0,
    'properties': {'os_distro': 'debian', 'hw_architecture': 'x86_64'},
}


def fill():
    from oslo_utils import timeutils
    from oslo_utils import uuidutils

    from nova.compute import api as compute_api
    from nova.compute import instance_actions
    from nova.compute import power_state
    from nova.compute import task_states
    from nova.compute import vm_states
    from nova.conductor import manager as conductor_manager
    from nova import context as nova_context
    from nova import exception
    from nova.network import model as network_model
    from nova import objects
    from nova.objects import host_mapping as host_mapping_obj
    from nova import utils
    import nova.conf

    CONF = nova.conf.CONF
    admin = nova_context.get_admin_context()

    cells = {}
    for cm in objects.CellMappingList.get_all(admin):
        cells[cm.name] = cm
    for name in ('cell0', 'cell1', 'cell2'):
        if name not in cells:
            raise SystemExit('fill_nova: no cell mapping named %s' % name)
    if not cells['cell0'].is_cell0():
        raise SystemExit('fill_nova: the cell named cell0 is not cell0')

    # ---- flavors (api database), as `openstack flavor create` does ----------------
    flavors = {}
    for name, flavorid, memory_mb, vcpus, root_gb, ephemeral_gb, extra in (
        ('m1.small', '2', 2048, 1, 20, 0, {}),
        ('m1.large', '4', 8192, 4, 80, 10, {'hw:cpu_policy': 'dedicated', 'quota:disk_read_iops_sec': '2000'}),
    ):
        flavor = objects.Flavor(
            context=admin, name=name, flavorid=flavorid, memory_mb=memory_mb, vcpus=vcpus,
            root_gb=root_gb, ephemeral_gb=ephemeral_gb, swap=0, rxtx_factor=1.0,
            is_public=True, disabled=False, description='%s, made by fill_nova.py' % name)
        flavor.create()
        if extra:
            flavor.extra_specs = extra
            flavor.save()
        flavors[name] = objects.Flavor.get_by_name(admin, name)

    # ---- compute services and nodes (cell databases), as nova-compute makes them ---
    def make_compute(cell, host, vcpus, memory_mb, local_gb):
        with nova_context.target_cell(admin, cell) as cctxt:
            service = objects.Service(cctxt, host=host, binary='nova-compute', topic='compute', report_count=1)
            service.create()
            node = objects.ComputeNode(cctxt)
            node.host = host
            # ResourceTracker._copy_resources(initial=True)
            for res in ('cpu', 'disk', 'ram'):
                ratio = getattr(CONF, 'initial_%s_allocation_ratio' % res)
                if ratio not in (0.0, None):
                    setattr(node, '%s_allocation_ratio' % res, ratio)
            node.update_from_virt_driver({
                'vcpus': vcpus,
                'memory_mb': memory_mb,
                'local_gb': local_gb,
                'vcpus_used': 0,
                'memory_mb_used': 512,
                'local_gb_used': 0,
                'hypervisor_type': 'QEMU',
                'hypervisor_version': 7002000,
                'hypervisor_hostname': '%s.example.org' % host,
                'cpu_info': json.dumps({'arch': 'x86_64', 'model': 'Nehalem', 'vendor': 'Intel',
                                        'topology': {'cores': 2, 'threads': 2, 'sockets': 1}}),
                'disk_available_least': local_gb,
                'host_ip': '192.0.2.%d' % (10 + len(computes)),
                'numa_topology': None,
                'supported_instances': [['x86_64', 'kvm', 'hvm']],
            })
            node.stats = {'failed_builds': '0'}
            node.running_vms = 0
            node.current_workload = 0
            node.free_ram_mb = memory_mb - 512
            node.free_disk_gb = local_gb
            node.pci_device_pools = objects.PciDevicePoolList(objects=[])
            node.create()
        entry = {'host': host, 'node': node.hypervisor_hostname, 'cell': cell.name, 'cellUuid': cell.uuid,
                 'serviceId': service.id, 'serviceUuid': service.uuid,
                 'computeNodeId': node.id, 'computeNodeUuid': node.uuid, 'mapped': False}
        computes.append(entry)
        return entry

    computes = []
    make_compute(cells['cell1'], 'cmp1-1', 16, 65536, 500)
    make_compute(cells['cell1'], 'cmp1-2', 16, 65536, 500)
    make_compute(cells['cell2'], 'cmp2-1', 32, 131072, 1000)
    # `nova-manage cell_v2 discover_hosts`: host mappings + compute_nodes.mapped = 1.
    discovered = host_mapping_obj.discover_hosts(admin)
    mapped_hosts = sorted(hm.host for hm in discovered)
    for entry in computes:
        entry['mapped'] = entry['host'] in mapped_hosts
    # Deployed after the last discover_hosts: a compute with no host mapping.
    make_compute(cells['cell1'], 'cmp1-unmapped', 8, 32768, 250)

    # ---- boots, as the API and the conductor make them ------------------------------
    def user_context(project_id, user_id):
        return nova_context.RequestContext(
            user_id=user_id, project_id=project_id, user_name='user-%s' % user_id[:6],
            project_name='project-%s' % project_id[:6], roles=['member', 'reader'])

    def provision(ctxt, flavor, name):
        """compute.api.API._provision_instances for one instance: RequestSpec,
        BuildRequest and an InstanceMapping with no cell."""
        instance_uuid = uuidutils.generate_uuid()
        req_spec = objects.RequestSpec.from_components(
            ctxt, instance_uuid, IMAGE, flavor, None,
            objects.InstancePCIRequests(requests=[]), {}, None, None,
            security_groups=objects.SecurityGroupList(objects=[objects.SecurityGroup(name='default')]),
            port_resource_requests=[], request_level_params=objects.RequestLevelParams())
        req_spec.is_bfv = False
        req_spec.num_instances = 1

        instance = objects.Instance(context=ctxt)
        instance.uuid = instance_uuid
        instance.update({
            'reservation_id': utils.generate_uid('r'),
            'image_ref': IMAGE['id'],
            'kernel_id': '',
            'ramdisk_id': '',
            'power_state': power_state.NOSTATE,
            'vm_state': vm_states.BUILDING,
            'config_drive': '',
            'user_id': ctxt.user_id,
            'project_id': ctxt.project_id,
            'instance_type_id': flavor.id,
            'memory_mb': flavor.memory_mb,
            'vcpus': flavor.vcpus,
            'root_gb': flavor.root_gb,
            'ephemeral_gb': flavor.ephemeral_gb,
            'display_name': name,
            'display_description': name,
            'user_data': None,
            'key_name': None,
            'key_data': None,
            'locked': False,
            'metadata': {'made_by': 'fill_nova.py'},
            'access_ip_v4': None,
            'access_ip_v6': None,
            'availability_zone': None,
            'root_device_name': None,
            'progress': 0,
            'pci_requests': objects.InstancePCIRequests(requests=[]),
            'numa_topology': None,
            'system_metadata': {},
            'os_type': None,
            'architecture': 'x86_64',
            'auto_disk_config': False,
        })
        instance.keypairs = objects.KeyPairList(objects=[])
        instance.trusted_certs = None
        # _populate_instance_for_create
        instance.launch_index = 0
        instance.vm_state = vm_states.BUILDING
        instance.task_state = task_states.SCHEDULING
        info_cache = objects.InstanceInfoCache()
        info_cache.instance_uuid = instance.uuid
        info_cache.network_info = network_model.NetworkInfo()
        instance.info_cache = info_cache
        instance.flavor = flavor
        instance.old_flavor = None
        instance.new_flavor = None
        instance.ephemeral_key_uuid = None
        instance.system_metadata = utils.instance_sys_meta(instance)
        system_meta = utils.get_system_metadata_from_image(IMAGE, flavor)
        system_meta.setdefault('image_base_image_ref', instance.image_ref)
        system_meta['owner_user_name'] = ctxt.user_name
        system_meta['owner_project_name'] = ctxt.project_name
        instance.system_metadata.update(system_meta)
        instance.security_groups = objects.SecurityGroupList()
        instance.hostname = utils.sanitize_hostname(name)
        instance.shutdown_terminate = False

        build_request = objects.BuildRequest(
            ctxt, instance=instance, instance_uuid=instance.uuid, project_id=instance.project_id,
            block_device_mappings=objects.BlockDeviceMappingList(objects=[]),
            tags=objects.TagList(objects=[]))
        inst_mapping = objects.InstanceMapping(context=ctxt)
        inst_mapping.instance_uuid = instance_uuid
        inst_mapping.project_id = ctxt.project_id
        inst_mapping.user_id = ctxt.user_id
        inst_mapping.cell_mapping = None
        compute_api.API._create_reqspec_buildreq_instmapping(ctxt, req_spec, build_request, inst_mapping)
        return req_spec, build_request, inst_mapping

    def schedule_and_build(ctxt, flavor, name, cell, host, created_at=None):
        """conductor schedule_and_build_instances for one instance on `host`, then what
        nova-compute does when the boot succeeds (host, node, ACTIVE)."""
        req_spec, build_request, inst_mapping = provision(ctxt, flavor, name)
        node = next(c['node'] for c in computes if c['host'] == host)
        instance = build_request.get_new_instance(ctxt)
        instance.availability_zone = 'nova'
        if created_at is not None:
            instance.created_at = created_at
        with conductor_manager.obj_target_cell(instance, cell) as cctxt:
            instance.create()
            objects.InstanceAction.action_start(cctxt, instance.uuid, instance_actions.CREATE, want_result=False)
        inst_mapping.cell_mapping = cell
        inst_mapping.save()
        build_request.destroy()
        # nova-compute: claim, spawn, ACTIVE.
        with conductor_manager.obj_target_cell(instance, cell) as cctxt:
            objects.InstanceActionEvent.event_start(cctxt, instance.uuid, 'compute_build_and_run_instance',
                                                    want_result=False, host=host)
            instance.host = host
            instance.node = node
            instance.launched_on = host
            instance.vm_state = vm_states.ACTIVE
            instance.power_state = power_state.RUNNING
            instance.task_state = None
            instance.launched_at = timeutils.utcnow()
            instance.save(expected_task_state=[task_states.SCHEDULING, None])
            objects.InstanceActionEvent.event_finish(cctxt, instance.uuid, 'compute_build_and_run_instance',
                                                     want_result=False)
        return instance, inst_mapping

    def describe(instance, cell, purpose, mapped=True):
        return {
            'uuid': instance.uuid,
            'purpose': purpose,
            'displayName': instance.display_name,
            'cell': cell.name,
            'cellUuid': cell.uuid,
            'host': instance.host,
            'node': instance.node,
            'flavor': instance.flavor.name,
            'projectId': instance.project_id,
            'userId': instance.user_id,
            'vmState': instance.vm_state,
            'taskState': instance.task_state,
            'deleted': bool(instance.deleted),
            'mapped': mapped,
            'createdAt': instance.created_at.isoformat() if instance.created_at else None,
        }

    ctx_a = user_context(PROJECT_A, USER_A)
    ctx_b = user_context(PROJECT_B, USER_B)
    small, large = flavors['m1.small'], flavors['m1.large']
    instances = []

    inst, _ = schedule_and_build(ctx_a, small, 'web-1', cells['cell1'], 'cmp1-1')
    instances.append(describe(inst, cells['cell1'], 'live'))
    inst, _ = schedule_and_build(ctx_a, large, 'db-1', cells['cell1'], 'cmp1-2', created_at=TIE_CREATED_AT)
    instances.append(describe(inst, cells['cell1'], 'sameCreatedAt'))
    inst, _ = schedule_and_build(ctx_b, small, 'batch-1', cells['cell1'], 'cmp1-2', created_at=TIE_CREATED_AT)
    instances.append(describe(inst, cells['cell1'], 'sameCreatedAt'))
    inst, _ = schedule_and_build(ctx_b, large, 'web-2', cells['cell2'], 'cmp2-1')
    instances.append(describe(inst, cells['cell2'], 'live'))
    inst, _ = schedule_and_build(ctx_a, small, 'cache-1', cells['cell2'], 'cmp2-1')
    instances.append(describe(inst, cells['cell2'], 'live'))

    # Deleted: compute.api.API.delete -> _update_queued_for_deletion, then
    # nova-compute _delete_instance -> DELETED, instance.destroy() (soft delete).
    inst, mapping = schedule_and_build(ctx_a, small, 'old-1', cells['cell1'], 'cmp1-1')
    with conductor_manager.obj_target_cell(inst, cells['cell1']) as cctxt:
        objects.InstanceAction.action_start(cctxt, inst.uuid, instance_actions.DELETE, want_result=False)
        inst.task_state = task_states.DELETING
        inst.save()
    compute_api.API._update_queued_for_deletion(ctx_a, inst.uuid, True)
    with conductor_manager.obj_target_cell(inst, cells['cell1']):
        inst.power_state = power_state.NOSTATE
        inst.vm_state = vm_states.DELETED
        inst.task_state = None
        inst.terminated_at = timeutils.utcnow()
        inst.save()
        inst.destroy()
    instances.append(describe(inst, cells['cell1'], 'deleted'))

    # Unmapped: instances in cell1 with no instance mapping (what map_instances maps),
    # as a pre-cells-v2 nova-api wrote them: the instance row only.
    for i, ctxt in enumerate((ctx_a, ctx_b)):
        req_spec, build_request, inst_mapping = provision(ctxt, small, 'legacy-%d' % (i + 1))
        instance = build_request.get_new_instance(ctxt)
        instance.availability_zone = 'nova'
        instance.created_at = UNMAPPED_CREATED_AT
        instance.host = 'cmp1-1'
        instance.node = next(c['node'] for c in computes if c['host'] == 'cmp1-1')
        instance.vm_state = vm_states.ACTIVE
        instance.power_state = power_state.RUNNING
        instance.task_state = None
        with conductor_manager.obj_target_cell(instance, cells['cell1']):
            instance.create()
        # Take back what the API wrote in the api database: no mapping, no request.
        build_request.destroy()
        inst_mapping.destroy()
        req_spec.destroy()
        instances.append(describe(instance, cells['cell1'], 'unmapped', mapped=False))

    # Buried in cell0: the API's records, then the conductor's _bury_in_cell0 with a
    # NoValidHost raised by the scheduler.
    req_spec, build_request, inst_mapping = provision(ctx_b, large, 'big-1')
    buried_uuid = build_request.instance_uuid
    # ComputeTaskManager() would connect to placement; _bury_in_cell0 needs only
    # self.host and the manager's own helper methods.
    conductor = conductor_manager.ComputeTaskManager.__new__(conductor_manager.ComputeTaskManager)
    conductor.host = CONF.host
    try:
        raise exception.NoValidHost(reason='There are not enough hosts available.')
    except exception.NoValidHost as exc:
        conductor._bury_in_cell0(admin, req_spec, exc, build_requests=[build_request])
    with nova_context.target_cell(admin, cells['cell0']) as cctxt:
        buried = objects.Instance.get_by_uuid(cctxt, buried_uuid, expected_attrs=['flavor'])
        fault = objects.InstanceFault.get_latest_for_instance(cctxt, buried_uuid)
    buried_entry = describe(buried, cells['cell0'], 'buried')
    instances.append(buried_entry)

    # Pending: accepted by the API, not scheduled yet.
    req_spec, build_request, inst_mapping = provision(ctx_a, small, 'pending-1')
    pending_uuid = build_request.instance_uuid

    by_purpose = {}
    for entry in instances:
        by_purpose.setdefault(entry['purpose'], []).append(entry['uuid'])

    return {
        'novaVersion': _nova_version(),
        'cells': {name: {'uuid': cells[name].uuid, 'name': name, 'transportUrl': cells[name].transport_url}
                  for name in ('cell0', 'cell1', 'cell2')},
        'projects': {'a': {'projectId': PROJECT_A, 'userId': USER_A},
                     'b': {'projectId': PROJECT_B, 'userId': USER_B}},
        'flavors': [{'name': f.name, 'id': f.id, 'flavorid': f.flavorid, 'memoryMb': f.memory_mb,
                     'vcpus': f.vcpus, 'rootGb': f.root_gb, 'ephemeralGb': f.ephemeral_gb,
                     'extraSpecs': dict(f.extra_specs)} for f in flavors.values()],
        'computes': computes,
        'hosts': {
            'cell1': [c['host'] for c in computes if c['cell'] == 'cell1' and c['mapped']],
            'cell2': [c['host'] for c in computes if c['cell'] == 'cell2' and c['mapped']],
            'mapped': mapped_hosts,
            'unmapped': [c['host'] for c in computes if not c['mapped']],
        },
        'instances': instances,
        'byPurpose': {
            'live': by_purpose.get('live', []) + by_purpose.get('sameCreatedAt', []),
            'sameCreatedAt': by_purpose.get('sameCreatedAt', []),
            'deleted': by_purpose['deleted'][0],
            'unmapped': by_purpose['unmapped'],
            'buried': buried_uuid,
            'pending': pending_uuid,
        },
        'tieCreatedAt': TIE_CREATED_AT.isoformat(),
        'unmappedCreatedAt': UNMAPPED_CREATED_AT.isoformat(),
        'buried': {
            'uuid': buried_uuid,
            'cellUuid': cells['cell0'].uuid,
            'flavor': buried.flavor.name,
            'vmState': buried.vm_state,
            'taskState': buried.task_state,
            'fault': {'code': fault.code, 'message': fault.message,
                      'hasDetails': bool(fault.details), 'host': fault.host},
        },
        'pending': {
            'buildRequestInstanceUuid': pending_uuid,
            'buildRequestId': build_request.id,
            'requestSpecId': req_spec.id,
            'flavor': small.name,
            'projectId': PROJECT_A,
            'displayName': 'pending-1',
        },
    }


def _nova_version():
    from nova import version
    return version.version_string()


def repoint(mapping):
    from nova import context as nova_context
    from nova import objects

    admin = nova_context.get_admin_context()
    out = []
    for cell_uuid, connection in mapping.items():
        cm = objects.CellMapping.get_by_uuid(admin, cell_uuid)
        cm.database_connection = connection
        cm.save()
    for cm in objects.CellMappingList.get_all(admin):
        out.append({'uuid': cm.uuid, 'name': cm.name, 'databaseConnection': cm.database_connection})
    return out


def main(argv):
    if len(argv) < 4 or argv[1] != '--config-file':
        usage()
    conf_path, command, rest = argv[2], argv[3], argv[4:]
    if command == 'fill' and not rest:
        setup(conf_path)
        result = fill()
    elif command == 'repoint' and len(rest) == 1:
        setup(conf_path)
        result = repoint(json.loads(rest[0]))
    else:
        usage()
    sys.stdout.write(json.dumps(result, sort_keys=True) + '\n')
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv))
