import { operatorProcedure, router, viewerProcedure } from '../trpc';
import { readCellDetail } from './cell-detail';
import { cellDetailInput, cellsListInput, createCellInput, deleteCellInput, renameCellInput, setCellDisabledInput } from './contract';
import { createCell } from './create-cell';
import { deleteCell } from './delete-cell';
import { listCells } from './list-cells';
import { renameCell, setCellDisabled } from './update-cell';

export const cellsRouter = router({
  list: viewerProcedure.input(cellsListInput).query(({ ctx, input }) => listCells(ctx.deps(), { cellUuids: input?.cellUuids })),

  detail: viewerProcedure.input(cellDetailInput).query(({ ctx, input }) => readCellDetail(ctx.deps(), input.uuid)),

  create: operatorProcedure.input(createCellInput).mutation(({ ctx, input }) => createCell(ctx.deps(), input, { verify: 'require' })),

  rename: operatorProcedure.input(renameCellInput).mutation(({ ctx, input }) => renameCell(ctx.deps(), input)),

  setDisabled: operatorProcedure.input(setCellDisabledInput).mutation(({ ctx, input }) => setCellDisabled(ctx.deps(), input)),

  delete: operatorProcedure.input(deleteCellInput).mutation(({ ctx, input }) => deleteCell(ctx.deps(), { cellUuid: input.uuid, force: input.force })),
});
