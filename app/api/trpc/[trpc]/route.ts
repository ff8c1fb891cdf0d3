import { handleTrpcRequest } from '@/server/trpc-http';

export const dynamic = 'force-dynamic';

// Next passes a second argument (the route's params): not handleTrpcRequest's options.
const handler = (req: Request) => handleTrpcRequest(req);

export { handler as GET, handler as POST };
