import { z } from 'zod';
import { operatorProcedure, router, viewerProcedure } from '../trpc';
import { readCellDetail } from './cell-detail';
import { createCell } from './create-cell';
import { deleteCell } from './delete-cell';
import { listCells } from './list-cells';
import { renameCell, setCellDisabled } from './update-cell';

/** nova's cell uuids are VARCHAR(36); anything longer cannot be one. */
const cellUuid = z.string().trim().min(1, 'a cell uuid is required').max(36, 'a cell uuid is at most 36 characters');
const url = (what: string) => z.string().trim().min(1, `the ${what} is required`).max(4096, `the ${what} is too long`);

export const cellsRouter = router({
  list: viewerProcedure.query(({ ctx }) => listCells(ctx.deps())),

  detail: viewerProcedure.input(z.object({ uuid: cellUuid })).query(({ ctx, input }) => readCellDetail(ctx.deps(), input.uuid)),

  create: operatorProcedure
    .input(
      z.object({
        name: z.string().trim().max(255, 'a cell name is at most 255 characters').optional(),
        transportUrl: url('transport URL'),
        databaseConnection: url('database URL'),
        disabled: z.boolean().default(false),
        migrate: z.boolean().default(false),
      }),
    )
    .mutation(({ ctx, input }) => createCell(ctx.deps(), input, { verify: 'require' })),

  rename: operatorProcedure
    .input(z.object({ uuid: cellUuid, name: z.string().trim().min(1, 'a name is required').max(255, 'a cell name is at most 255 characters') }))
    .mutation(({ ctx, input }) => renameCell(ctx.deps(), input)),

  setDisabled: operatorProcedure
    .input(z.object({ uuid: cellUuid, disabled: z.boolean() }))
    .mutation(({ ctx, input }) => setCellDisabled(ctx.deps(), input)),

  delete: operatorProcedure
    .input(z.object({ uuid: cellUuid, force: z.boolean().default(false) }))
    .mutation(({ ctx, input }) => deleteCell(ctx.deps(), { cellUuid: input.uuid, force: input.force })),
});
