using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Portal.Migrations.Postgres.Migrations
{
    /// <inheritdoc />
    public partial class ListsJobRunProject : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<Guid>(
                name: "ProjectId",
                table: "JobRuns",
                type: "uuid",
                nullable: true);

            migrationBuilder.CreateIndex(
                name: "IX_JobRuns_TenantId_ProjectId_QueuedAt",
                table: "JobRuns",
                columns: new[] { "TenantId", "ProjectId", "QueuedAt" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_JobRuns_TenantId_ProjectId_QueuedAt",
                table: "JobRuns");

            migrationBuilder.DropColumn(
                name: "ProjectId",
                table: "JobRuns");
        }
    }
}
