import Link from 'next/link';

export default function NotFound() {
  return (
    <main className="mx-auto max-w-xl p-8">
      <h1 className="mb-2 text-xl font-semibold">Not found</h1>
      <p className="text-sm">
        Nothing lives at this address.{' '}
        <Link href="/" className="underline">
          Back to the cells
        </Link>
        .
      </p>
    </main>
  );
}
